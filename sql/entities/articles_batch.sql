-- One batch of articles to extract (ids in the registered frame `wanted`), with their current
-- bodies. The body_hash read here is the one recorded with the mentions found in that body.
-- Read through Warehouse.lookup (a small memory limit): the ids are scattered over the table, so
-- the scan reads the whole body column. No ORDER BY: sorting the bodies took more memory than
-- reading them (the caller sorts the rows).
SELECT a.article_id, a.doc_id, a.body, a.body_hash, a.published_date
FROM articles a
JOIN wanted w ON w.article_id = a.article_id;
