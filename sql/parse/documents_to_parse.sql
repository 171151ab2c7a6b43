-- One page of the documents not yet parsed by this parser version, one path per content address
-- (its smallest), in doc_id order: the rows after doc_id $after, at most $limit of them. Read a
-- page at a time, so memory holds a page of the work list, not the corpus's. A top-N over the
-- rows, not a GROUP BY: grouping every document left to parse before taking the first page took
-- the build process +149 MiB at the first pages of ANT x8 (252,200 documents; scratch). The
-- caller keeps each doc_id's first row (rows come in (doc_id, path) order; a doc_id cut off by
-- the limit still has its smallest path in the page, and the next page starts after it).
-- parsed_documents is read from $after on too: a build appends it in doc_id order, so the
-- rows already behind the page are skipped by zone maps and stay out of the anti-join.
SELECT r.doc_id, r.path, r.format
FROM raw_documents r
ANTI JOIN (SELECT doc_id FROM parsed_documents WHERE parser_version = $parser_version AND doc_id > $after) p
    ON p.doc_id = r.doc_id
WHERE r.doc_id > $after
ORDER BY r.doc_id, r.path
LIMIT $limit;
