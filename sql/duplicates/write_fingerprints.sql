-- Store one batch of new fingerprints (new_prints is a registered frame), with each signature's
-- LSH band keys: band k's key is the hash of signature values k*$rows+1 .. (k+1)*$rows, the key
-- duplicates/candidate_pairs buckets texts by. Computed once per body here, not at every
-- clustering (on ANT x4 hashing the bands was 0.9 of the banding's 1.1 s).
DELETE FROM article_fingerprints WHERE article_id IN (SELECT article_id FROM new_prints);
INSERT INTO article_fingerprints (article_id, body_hash, text_hash, n_words, minhash, band_keys)
SELECT article_id, body_hash, text_hash, n_words, minhash,
    CASE WHEN minhash IS NOT NULL THEN [hash(minhash[b * $rows + 1 : (b + 1) * $rows]) for b in range($bands)] END
FROM new_prints;
