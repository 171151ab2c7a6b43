-- The LSH buckets the added articles' signatures fall in (added is a registered frame of article
-- ids), with every current text in them: (band, key, text_hash), each once. Run after
-- duplicates/drop_stale_fingerprints, so every stored fingerprint is a current article's. The
-- buckets' members come from fingerprint_bands, a row per band and text, joined on (band, key);
-- it may also hold texts no article has any more (they are pruned at a whole clustering), hence
-- the semi join. Unnesting every stored signature's band keys instead (as duplicates/candidate_pairs
-- does) took 0.95 s on ANT x8 (252,830 articles), growing with the warehouse.
WITH touched AS (
    SELECT DISTINCT b.band, f.band_keys[b.band + 1] AS key
    FROM article_fingerprints f SEMI JOIN added USING (article_id)
    CROSS JOIN range($bands) b(band)
    WHERE f.band_keys IS NOT NULL
)
SELECT DISTINCT k.band, k.key, k.text_hash
FROM fingerprint_bands k
JOIN touched t ON t.band = k.band AND t.key = k.key
SEMI JOIN article_fingerprints f ON f.text_hash = k.text_hash;
