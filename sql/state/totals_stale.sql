-- Does the entities table still match every mention? (A run can stop between writing mentions
-- and rebuilding entities; the next build must notice.)
SELECT
    (SELECT coalesce(sum(mentions), 0) FROM entities) IS DISTINCT FROM (SELECT count(*) FROM entity_mentions)
    OR EXISTS (SELECT 1 FROM entity_mentions m ANTI JOIN entities e USING (entity_id))
    OR EXISTS (SELECT 1 FROM entity_mention_changes)
    AS stale;
