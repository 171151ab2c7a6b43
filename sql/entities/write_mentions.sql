-- Write the mentions of one batch of re-extracted articles (new_mentions, new_log: registered frames),
-- after entities/forget_mentions dropped what they had, and log what is written for `entities`
-- (entity_mention_changes).
INSERT INTO entity_mentions (mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, extractor, published_date, run_id)
SELECT mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, $extractor_version, published_date, $run_id
FROM new_mentions;
INSERT INTO extraction_log (article_id, body_hash, extractor_version, mentions, published_date, extracted_at, run_id)
SELECT article_id, body_hash, $extractor_version, mentions, published_date, $now, $run_id FROM new_log;
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, count(*)
FROM new_mentions
WHERE EXISTS (SELECT 1 FROM pipeline_state WHERE key = 'entities_totals')
GROUP BY ALL;
