-- The relation duplicates/candidate_pairs reads, over a registered frame `signature_frame`
-- (article_id, text_hash, minhash) when no warehouse stores the signatures (clustering in memory).
-- The band keys as duplicates/write_fingerprints computes them (a table: a view takes no parameters).
CREATE OR REPLACE TEMP TABLE signatures AS
SELECT article_id, text_hash, minhash,
    CASE WHEN minhash IS NOT NULL THEN [hash(minhash[b * $rows + 1 : (b + 1) * $rows]) for b in range($bands)] END AS band_keys
FROM signature_frame;
