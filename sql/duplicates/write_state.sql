DELETE FROM pipeline_state WHERE key = 'duplicates_fingerprint';
INSERT INTO pipeline_state VALUES ('duplicates_fingerprint', $fingerprint);
