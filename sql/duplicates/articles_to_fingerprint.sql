-- Articles whose current body has no fingerprint yet (ids and when they were parsed: bodies are
-- read a batch at a time, duplicates/bodies_to_fingerprint). In parse order, so that a batch's
-- bodies lie together in the table.
SELECT a.article_id, a.parsed_at
FROM articles a
LEFT JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
WHERE f.article_id IS NULL
ORDER BY a.parsed_at, a.article_id;
