-- The most mentioned entities over everything, dated or not.
SELECT canonical_name, entity_type, mentions, articles
FROM entities ORDER BY mentions DESC, canonical_name LIMIT $limit;
