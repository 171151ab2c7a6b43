-- The normalised-text hashes of the added articles (registered frame `added`), empty texts left
-- out (they are never grouped): the texts whose exact groups and candidate pairs an incremental
-- clustering looks for.
SELECT DISTINCT f.text_hash
FROM articles a
JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
SEMI JOIN added d ON d.article_id = a.article_id
WHERE f.n_words > 0;
