-- Log, for `entities` (entity_mention_changes), the mentions entities/remove_orphans is about to
-- delete (same scope parameters). Run only once `entities` keeps its totals (entities/totals_kept).
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions m
WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
  AND NOT EXISTS (SELECT 1 FROM articles a
                  WHERE a.article_id = m.article_id AND a.published_date IS NOT DISTINCT FROM m.published_date)
GROUP BY ALL;
