-- Store one batch of new fingerprints (new_prints is a registered frame), with each signature's
-- LSH band keys: band k's key is the hash of signature values k*$rows+1 .. (k+1)*$rows, the key
-- duplicates/candidate_pairs buckets texts by. Computed once per body here, not at every
-- clustering (on ANT x4 hashing the bands was 0.9 of the banding's 1.1 s).
-- The band keys of the texts no stored fingerprint has yet, a row per band, for
-- duplicates/added_buckets (a text already stored has its rows: fingerprint_bands holds every
-- stored signature's, see duplicates/rebuild_bands). Before this batch's articles' earlier
-- fingerprints are replaced: a text that one of them has keeps its rows, and is not added twice.
INSERT INTO fingerprint_bands (band, key, text_hash)
SELECT b.band, hash(n.minhash[b.band * $rows + 1 : (b.band + 1) * $rows]), n.text_hash
FROM (SELECT text_hash, any_value(minhash) AS minhash FROM new_prints
      WHERE minhash IS NOT NULL AND text_hash NOT IN (SELECT text_hash FROM article_fingerprints)
      GROUP BY text_hash) n
CROSS JOIN range($bands) b(band);
DELETE FROM article_fingerprints WHERE article_id IN (SELECT article_id FROM new_prints);
INSERT INTO article_fingerprints (article_id, body_hash, text_hash, n_words, minhash, band_keys)
SELECT article_id, body_hash, text_hash, n_words, minhash,
    CASE WHEN minhash IS NOT NULL THEN [hash(minhash[b * $rows + 1 : (b + 1) * $rows]) for b in range($bands)] END
FROM new_prints;
