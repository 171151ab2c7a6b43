-- fingerprint_bands from the stored fingerprints, whole: when duplicates/bands_complete says the
-- table does not match them (a warehouse from before the table; fingerprints written by code that
-- does not keep it). Then duplicates/write_fingerprints adds the rows of each new text. The same
-- keys as article_fingerprints.band_keys (band k is key k+1).
DELETE FROM fingerprint_bands;
INSERT INTO fingerprint_bands (band, key, text_hash)
SELECT DISTINCT unnest(range($bands)) AS band, unnest(band_keys) AS key, text_hash
FROM article_fingerprints WHERE band_keys IS NOT NULL;
