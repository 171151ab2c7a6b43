-- One batch of articles to extract (ids in the registered frame `wanted`), with their current
-- bodies. The body_hash read here is the one recorded with the mentions found in that body.
-- Read through Warehouse.lookup (a small memory limit): article ids are hashes, so the join
-- cannot skip row groups by id; only the parsed_at bounds below limit the scan. No ORDER BY:
-- sorting the bodies took more memory than reading them (the caller sorts the rows).
-- $since, $until: the earliest and latest parsed_at of the batch (batches are cut in parse order,
-- entities/articles_to_extract). Rows are appended in the order they are parsed, so DuckDB skips
-- the row groups parsed outside them (their zone maps) instead of reading every body: 315 new
-- articles of ANT x4 with a cold page cache, 0.28-0.40 s → 0.015 s (scratch); a build's batches
-- each read one slice of the column instead of the whole of it (ANT x8, one 2,500-article batch:
-- 0.07-0.13 s against 0.17-0.22 s warm, 1.04 s cold; scratch).
SELECT a.article_id, a.doc_id, a.body, a.body_hash, a.published_date
FROM articles a
JOIN wanted w ON w.article_id = a.article_id
WHERE a.parsed_at BETWEEN $since AND $until;
