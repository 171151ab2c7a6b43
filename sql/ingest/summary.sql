-- Row counts after an ingest, for metadata and the asset checks.
SELECT
    (SELECT count(*) FROM raw_documents) AS documents,
    (SELECT count(*) - count(DISTINCT path) FROM raw_documents) AS duplicate_paths,
    (SELECT count(*) FROM rejected_documents WHERE stage = 'ingest') AS rejected;
