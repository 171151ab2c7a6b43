-- One page of the documents not yet parsed by this parser version (one path per content address):
-- the first $limit after doc_id $after, in doc_id order. Read a page at a time, so memory holds
-- a page of the work list, not the corpus's.
SELECT r.doc_id, min(r.path) AS path, any_value(r.format) AS format
FROM raw_documents r
LEFT JOIN parsed_documents p ON p.doc_id = r.doc_id AND p.parser_version = $parser_version
WHERE p.doc_id IS NULL AND r.doc_id > $after
GROUP BY r.doc_id
ORDER BY r.doc_id
LIMIT $limit;
