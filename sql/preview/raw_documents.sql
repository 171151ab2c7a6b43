SELECT left(doc_id, 12) AS doc_id, path, format, encoding, bytes, ingested_at
FROM raw_documents ORDER BY ingested_at DESC, path LIMIT 5;
