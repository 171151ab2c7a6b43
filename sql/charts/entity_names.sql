-- Display name and type of each entity in $ids that `entities` holds (news_assets.charts); the
-- others, not (yet) rebuilt there, take their names from charts/entity_names_from_mentions.
-- Two statements, asked in turn: in one, DuckDB scanned all of entity_mentions for the fallback
-- even when no id was missing (ANT x8, a fresh connection: 0.11-0.14 s a chart against 0.006 s).
SELECT entity_id, canonical_name AS name, entity_type
FROM entities
WHERE entity_id IN (SELECT unnest($ids));
