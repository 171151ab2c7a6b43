-- Fingerprints and verified pairs made by another duplicates code version or other Polars / DuckDB
-- versions ($versions: the text hash and MinHash values come from Polars' hash, the band keys from
-- DuckDB's, stable only within a version) do not compare with new ones: forget them all, with their
-- band keys, so they are made again. Then record the versions the stored ones come from.
DELETE FROM article_fingerprints
WHERE (SELECT value FROM pipeline_state WHERE key = 'fingerprint_versions') IS DISTINCT FROM $versions;
DELETE FROM duplicate_similarities
WHERE (SELECT value FROM pipeline_state WHERE key = 'fingerprint_versions') IS DISTINCT FROM $versions;
DELETE FROM fingerprint_bands
WHERE (SELECT value FROM pipeline_state WHERE key = 'fingerprint_versions') IS DISTINCT FROM $versions;
DELETE FROM pipeline_state WHERE key = 'fingerprint_versions';
INSERT INTO pipeline_state VALUES ('fingerprint_versions', $versions);
