-- The input of an incremental clustering: the added articles (registered frame `added`) and every
-- article of the clusters that hold one of the texts in the registered frame `texts` (the added
-- texts and those they are candidate pairs with), as duplicates/fingerprints returns them.
-- Empty texts stand alone (they are never grouped), so they pull in no cluster.
WITH clusters AS (
    SELECT DISTINCT d.cluster_id
    FROM article_duplicates d
    JOIN articles a USING (article_id)
    JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
    WHERE f.n_words > 0 AND f.text_hash IN (SELECT text_hash FROM texts)
),
members AS (
    SELECT article_id FROM article_duplicates WHERE cluster_id IN (SELECT cluster_id FROM clusters)
    UNION
    SELECT article_id FROM added
)
SELECT a.article_id, a.published_at, f.text_hash, f.n_words
FROM articles a
JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
SEMI JOIN members m ON m.article_id = a.article_id
ORDER BY a.article_id;
