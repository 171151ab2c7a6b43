-- Articles whose current body has no fingerprint yet (ids only: bodies are read a batch at a time).
SELECT a.article_id
FROM articles a
LEFT JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
WHERE f.article_id IS NULL
ORDER BY a.article_id;
