-- Display name and type of each entity in $ids (news_assets.charts): from entities; an entity not
-- (yet) rebuilt there falls back to its mentions' most common name.
SELECT i.entity_id,
    coalesce(any_value(e.canonical_name), mode(m.canonical_name), i.entity_id) AS name,
    coalesce(any_value(e.entity_type), any_value(m.entity_type), '') AS entity_type
FROM (SELECT unnest($ids) AS entity_id) i
LEFT JOIN entities e ON e.entity_id = i.entity_id
LEFT JOIN entity_mentions m ON m.entity_id = i.entity_id AND e.entity_id IS NULL
GROUP BY i.entity_id;
