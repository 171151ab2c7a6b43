-- Whether fingerprint_bands holds the band keys of every stored fingerprint: the marker that
-- duplicates/mark_bands_complete left matches the fingerprints as they are. It does not on a
-- warehouse from before the table, nor after fingerprints were written by code that does not keep
-- the table (an older version of this project run on the same file): then the table is rebuilt
-- (duplicates/rebuild_bands). A scan of three small columns (17-48 ms on ANT x8).
SELECT coalesce((SELECT value FROM pipeline_state WHERE key = 'fingerprint_bands') = (
    SELECT count(*)::VARCHAR || ':' || coalesce(bit_xor(hash(article_id, body_hash, text_hash)), 0)::VARCHAR
    FROM article_fingerprints), false);
