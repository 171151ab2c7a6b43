-- fingerprint_bands from the stored fingerprints, whole: for a warehouse built before the table
-- (no 'fingerprint_bands' row in pipeline_state), once; then duplicates/write_fingerprints adds
-- the rows of each new text. The same keys as article_fingerprints.band_keys (band k is key k+1).
DELETE FROM fingerprint_bands;
INSERT INTO fingerprint_bands (band, key, text_hash)
SELECT DISTINCT unnest(range($bands)) AS band, unnest(band_keys) AS key, text_hash
FROM article_fingerprints WHERE band_keys IS NOT NULL;
DELETE FROM pipeline_state WHERE key = 'fingerprint_bands';
INSERT INTO pipeline_state VALUES ('fingerprint_bands', 'complete');
