-- Write the mentions of one batch of re-extracted articles (new_mentions, new_log: registered frames),
-- after entities/forget_mentions dropped what they had. Once `entities` keeps its totals,
-- entities/log_written_mentions follows, in the same transaction.
INSERT INTO entity_mentions (mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, extractor, published_date, run_id)
SELECT mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, $extractor_version, published_date, $run_id
FROM new_mentions;
INSERT INTO extraction_log (article_id, body_hash, extractor_version, mentions, published_date, extracted_at, run_id)
SELECT article_id, body_hash, $extractor_version, mentions, published_date, $now, $run_id FROM new_log;
