-- The LSH buckets the added articles' signatures fall in (added is a registered frame of article
-- ids), with every text in them: (band, key, text_hash), each once. Reads `signatures`
-- (duplicates/signatures) and the band keys as duplicates/candidate_pairs does, but keeps only the
-- buckets of the added texts: a refresh pairs its new texts without grouping every band of the
-- warehouse. The band keys are unnested (band k is key k+1) and joined on (band, key): joining
-- on an expression of the band instead took 2.9 s on ANT x4, this 0.1-0.3 s (scratch).
WITH added_texts AS (
    SELECT DISTINCT s.text_hash, s.band_keys FROM signatures s SEMI JOIN added USING (article_id)
),
touched AS (
    SELECT DISTINCT b.band, t.band_keys[b.band + 1] AS key FROM added_texts t CROSS JOIN range($bands) b(band)
),
keys AS (
    SELECT s.text_hash, unnest(s.band_keys) AS key, unnest(range($bands)) AS band FROM signatures s
)
SELECT DISTINCT k.band, k.key, k.text_hash
FROM keys k JOIN touched t ON t.band = k.band AND t.key = k.key;
