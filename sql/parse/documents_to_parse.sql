-- One page of the documents not yet parsed by this parser version, one path per content address
-- (its smallest), in doc_id order: the rows after doc_id $after, at most $limit of them. Read a
-- page at a time, so memory holds a page of the work list, not the corpus's. A top-N over the
-- rows, not a GROUP BY doc_id before the LIMIT: DuckDB 2.0.1 dropped that LIMIT (from ~10,000
-- rows up) when parsed_documents held no row of the parser version, so a build from empty read
-- its whole work list as the first page (ANT x8: 252,200 rows; the query alone took a fresh
-- process 67 -> 321 MiB, scratch), and where the LIMIT held, grouping everything left to parse
-- cost more (one page at 64,000 of 252,200 parsed: 70 -> 195 MiB, this query 70 -> 141). The
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
