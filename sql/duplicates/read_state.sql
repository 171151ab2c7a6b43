SELECT value FROM pipeline_state WHERE key = 'duplicates_fingerprint';
