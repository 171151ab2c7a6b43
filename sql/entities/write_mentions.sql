-- Replace the mentions of re-extracted articles and drop those of articles that left the scope
-- (deleted, or re-dated to another day). new_mentions and new_log are registered frames.
DELETE FROM entity_mentions AS m
WHERE m.article_id IN (SELECT article_id FROM new_log)
   OR (CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
       AND NOT EXISTS (SELECT 1 FROM articles a
                       WHERE a.article_id = m.article_id AND a.published_date IS NOT DISTINCT FROM m.published_date));
DELETE FROM extraction_log AS l
WHERE l.article_id IN (SELECT article_id FROM new_log)
   OR (CASE WHEN $undated THEN l.published_date IS NULL ELSE l.published_date BETWEEN $start AND $end END
       AND NOT EXISTS (SELECT 1 FROM articles a
                       WHERE a.article_id = l.article_id AND a.published_date IS NOT DISTINCT FROM l.published_date));
INSERT INTO entity_mentions (mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, extractor, published_date, run_id)
SELECT mention_id, article_id, doc_id, entity_id, entity_type, surface, start_char, end_char,
    canonical_key, canonical_name, $extractor_version, published_date, $run_id
FROM new_mentions;
INSERT INTO extraction_log (article_id, body_hash, extractor_version, mentions, published_date, extracted_at, run_id)
SELECT article_id, body_hash, $extractor_version, mentions, published_date, $now, $run_id FROM new_log;
