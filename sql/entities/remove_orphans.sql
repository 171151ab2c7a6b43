-- Drop mentions and bookkeeping of articles that left the scope (deleted, or re-dated to another
-- day). Scope: the days [$start, $end], or the undated bucket when $undated. Deleted mentions are
-- logged for `entities` (entity_mention_changes).
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions m
WHERE EXISTS (SELECT 1 FROM pipeline_state WHERE key = 'entities_totals')
  AND CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
  AND NOT EXISTS (SELECT 1 FROM articles a
                  WHERE a.article_id = m.article_id AND a.published_date IS NOT DISTINCT FROM m.published_date)
GROUP BY ALL;
DELETE FROM entity_mentions AS m
WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
  AND NOT EXISTS (SELECT 1 FROM articles a
                  WHERE a.article_id = m.article_id AND a.published_date IS NOT DISTINCT FROM m.published_date);
DELETE FROM extraction_log AS l
WHERE CASE WHEN $undated THEN l.published_date IS NULL ELSE l.published_date BETWEEN $start AND $end END
  AND NOT EXISTS (SELECT 1 FROM articles a
                  WHERE a.article_id = l.article_id AND a.published_date IS NOT DISTINCT FROM l.published_date);
