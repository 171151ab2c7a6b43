-- Display name and type of entities in $ids that `entities` does not hold yet (news_assets.charts):
-- their mentions' most common name.
SELECT entity_id, mode(canonical_name) AS name, any_value(entity_type) AS entity_type
FROM entity_mentions
WHERE entity_id IN (SELECT unnest($ids))
GROUP BY entity_id;
