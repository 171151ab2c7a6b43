-- Every article's fingerprint with its publication time: the input of clustering. The MinHash
-- signatures stay in DuckDB (duplicates/candidate_pairs pairs them there).
SELECT a.article_id, a.published_at, f.text_hash, f.n_words
FROM articles a JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
ORDER BY a.article_id;
