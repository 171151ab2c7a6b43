-- Log, for `entities` (entity_mention_changes), the mentions entities/write_mentions just wrote
-- (new_mentions: a registered frame). Run only once `entities` keeps its totals (entities/totals_kept).
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, count(*)
FROM new_mentions
GROUP BY ALL;
