-- Files already seen, with the size and mtime they had: unchanged ones are not read again.
SELECT path, bytes, mtime_ns FROM raw_documents
UNION ALL
SELECT path, bytes, mtime_ns FROM rejected_documents WHERE stage = 'ingest' AND bytes IS NOT NULL;
