-- The mentions this run ($run_id) wrote for one batch's articles (new_log), as stored: the offsets
-- check compares them with the bodies the batch was extracted from (bodies are not read again).
SELECT m.article_id, m.start_char, m.end_char, m.surface
FROM entity_mentions m
WHERE m.run_id = $run_id AND m.article_id IN (SELECT article_id FROM new_log);
