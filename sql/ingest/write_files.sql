-- Replace the rows of changed or new files (new_documents, new_rejects are registered frames).
DELETE FROM raw_documents WHERE path IN (SELECT path FROM new_documents UNION ALL SELECT path FROM new_rejects);
DELETE FROM rejected_documents
WHERE stage = 'ingest' AND path IN (SELECT path FROM new_documents UNION ALL SELECT path FROM new_rejects);
INSERT INTO raw_documents (doc_id, sha256, path, format, encoding, bytes, mtime_ns, ingested_at, run_id)
SELECT sha256, sha256, path, format, encoding, bytes, mtime_ns, $now, $run_id FROM new_documents;
INSERT INTO rejected_documents (path, sha256, reason, seen_at, stage, bytes, mtime_ns, run_id)
SELECT path, sha256, reason, $now, 'ingest', bytes, mtime_ns, $run_id FROM new_rejects;
