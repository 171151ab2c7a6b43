-- Articles whose current body has no fingerprint yet.
SELECT a.article_id, a.body_hash, a.body
FROM articles a
LEFT JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
WHERE f.article_id IS NULL
;
