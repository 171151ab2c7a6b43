-- Display name and type of each entity in $ids (news_assets.charts): from entities; an entity not
-- (yet) rebuilt there falls back to its mentions' most common name. Only the ids missing from
-- entities are looked up in entity_mentions: joined for every id, the lookup scanned all of
-- entity_mentions even when none was missing (ANT x8, warm: 0.05 s a chart against 0.02 s;
-- scratch, 2026-11-28).
WITH ids AS (SELECT DISTINCT unnest($ids) AS entity_id),
known AS (
    SELECT i.entity_id, e.canonical_name AS name, e.entity_type
    FROM ids i JOIN entities e USING (entity_id)
),
fallback AS (
    SELECT m.entity_id, mode(m.canonical_name) AS name, any_value(m.entity_type) AS entity_type
    FROM entity_mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM ids ANTI JOIN known USING (entity_id))
    GROUP BY m.entity_id
)
SELECT i.entity_id, coalesce(k.name, f.name, i.entity_id) AS name, coalesce(k.entity_type, f.entity_type, '') AS entity_type
FROM ids i LEFT JOIN known k USING (entity_id) LEFT JOIN fallback f USING (entity_id);
