-- One batch of articles to fingerprint (ids in the registered frame `wanted`), with their current
-- bodies; the body_hash read here is the one stored with the fingerprint of that body.
-- Read through Warehouse.lookup (a small memory limit); no ORDER BY, which did not fit it (the
-- caller sorts the rows).
-- $since, $until: the earliest and latest parsed_at of the batch (batches are cut in parse order,
-- duplicates/articles_to_fingerprint). Rows are appended in the order they are parsed, so DuckDB
-- skips the row groups parsed outside them (their zone maps) instead of reading every body: 315
-- new articles of ANT x4 with a cold page cache, 0.28-0.40 s → 0.015 s (scratch); a build's
-- batches each read one slice of the column instead of the whole of it.
SELECT a.article_id, a.body_hash, a.body
FROM articles a
JOIN wanted w ON w.article_id = a.article_id
WHERE a.parsed_at BETWEEN $since AND $until;
