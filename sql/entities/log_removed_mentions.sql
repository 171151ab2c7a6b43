-- Log, for `entities` (entity_mention_changes), the mentions entities/forget_mentions is about to
-- delete (todo: a registered frame of article_id). Run only once `entities` keeps its totals
-- (entities/totals_kept): until then its next run rebuilds them whole, and logging what a build
-- from empty writes only cost memory.
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions m
WHERE m.article_id IN (SELECT article_id FROM todo)
GROUP BY ALL;
