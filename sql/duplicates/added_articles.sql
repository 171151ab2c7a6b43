-- Articles not clustered yet (no row in article_duplicates), with the hash each contributes to
-- duplicates/articles_fingerprint: if the clustered ones are exactly the articles of the last
-- clustering, the stored fingerprint XOR these hashes is the current one.
SELECT article_id, hash(article_id || body_hash) AS print
FROM articles ANTI JOIN article_duplicates USING (article_id)
ORDER BY article_id;
