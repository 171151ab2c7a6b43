-- Documents not yet parsed by this parser version (one path per content address).
SELECT r.doc_id, min(r.path) AS path, any_value(r.format) AS format
FROM raw_documents r
LEFT JOIN parsed_documents p ON p.doc_id = r.doc_id AND p.parser_version = $parser_version
WHERE p.doc_id IS NULL
GROUP BY r.doc_id
ORDER BY r.doc_id;
