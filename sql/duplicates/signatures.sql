-- The MinHash signature and band keys of every current article that has one, as the relation
-- duplicates/candidate_pairs reads (a temporary view: nothing is written).
CREATE OR REPLACE TEMP VIEW signatures AS
SELECT a.article_id, f.text_hash, f.minhash, f.band_keys
FROM articles a JOIN article_fingerprints f ON f.article_id = a.article_id AND f.body_hash = a.body_hash
WHERE f.minhash IS NOT NULL;
