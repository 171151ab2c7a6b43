-- Log, for `entities` (entity_mention_changes), the mentions entities/remove_orphans is about to
-- delete (same scope parameters). Run only once `entities` keeps its totals (entities/totals_kept).
-- The rows are picked by rowid from a scan of article_id and published_date alone (as in
-- entities/log_removed_mentions): filtering the grouped columns themselves read all of them over
-- the scope even when no mention was orphaned, as in a refresh that only adds articles. A
-- refresh's range on ANT x8 (2018-02-01 … 2018-10-17, no orphans): 0.11-0.23 s, 0.07 s picked by
-- rowid (scratch, 2026-11-29). The articles side is cut to the scope, as in entities/remove_orphans.
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions
WHERE rowid IN (
    SELECT m.rowid FROM entity_mentions m
    WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
      AND NOT EXISTS (SELECT 1 FROM articles a
                      WHERE a.article_id = m.article_id AND a.published_date IS NOT DISTINCT FROM m.published_date
                            AND CASE WHEN $undated THEN a.published_date IS NULL
                                     ELSE a.published_date BETWEEN $start AND $end END))
GROUP BY ALL;
