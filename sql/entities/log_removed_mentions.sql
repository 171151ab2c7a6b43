-- Log, for `entities` (entity_mention_changes), the mentions entities/forget_mentions is about to
-- delete (todo: a registered frame of article_id). Run only once `entities` keeps its totals
-- (entities/totals_kept): until then its next run rebuilds them whole, and logging what a build
-- from empty writes only cost memory. The rows are picked by rowid from a scan of article_id alone:
-- filtering on article_id read every column of entity_mentions even when the articles had no
-- mentions (new articles; the batches, whose articles the scope forgot first), 0.17-0.19 s a call
-- on ANT x8; picked by rowid, 0.013 s when none match, the same ~0.11 s when 2,500 old articles'
-- 38,486 mentions do (scratch, 2026-11-28).
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions m
WHERE m.rowid IN (SELECT rowid FROM entity_mentions WHERE article_id IN (SELECT article_id FROM todo))
GROUP BY ALL;
