-- How many documents are not yet parsed by this parser version (for progress lines).
SELECT count(DISTINCT r.doc_id)
FROM raw_documents r
LEFT JOIN parsed_documents p ON p.doc_id = r.doc_id AND p.parser_version = $parser_version
WHERE p.doc_id IS NULL;
