-- One batch of articles to fingerprint (ids in the registered frame `wanted`), with their current
-- bodies; the body_hash read here is the one stored with the fingerprint of that body.
-- Read through Warehouse.lookup (a small memory limit); no ORDER BY, which did not fit it (the
-- caller sorts the rows).
SELECT a.article_id, a.body_hash, a.body
FROM articles a
JOIN wanted w ON w.article_id = a.article_id;
