-- A file whose content changed leaves its old content address behind: drop what was parsed from it.
DELETE FROM articles WHERE doc_id NOT IN (SELECT doc_id FROM raw_documents);
DELETE FROM parsed_documents WHERE doc_id NOT IN (SELECT doc_id FROM raw_documents);
