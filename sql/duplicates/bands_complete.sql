-- Whether fingerprint_bands holds the band keys of every stored fingerprint (duplicates/rebuild_bands).
SELECT count(*) > 0 FROM pipeline_state WHERE key = 'fingerprint_bands';
