-- Record that fingerprint_bands holds the band keys of every stored fingerprint, as a checksum of
-- the fingerprints (duplicates/bands_complete compares it): run in each transaction that changes
-- article_fingerprints, once the bands are written.
DELETE FROM pipeline_state WHERE key = 'fingerprint_bands';
INSERT INTO pipeline_state
SELECT 'fingerprint_bands', count(*)::VARCHAR || ':' || coalesce(bit_xor(hash(article_id, body_hash, text_hash)), 0)::VARCHAR
FROM article_fingerprints;
