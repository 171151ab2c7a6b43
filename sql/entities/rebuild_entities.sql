-- Rebuild the entity dimension from all mentions, dated and undated.
-- canonical_name: the form most mentions resolved to; ties go to the longer (more complete) name.
DELETE FROM entities;
INSERT INTO entities (entity_id, canonical_name, entity_type, aliases, canonical_key, mentions, articles,
    undated_mentions, first_seen, last_seen)
WITH names AS (
    SELECT entity_id, canonical_name, count(*) AS n
    FROM entity_mentions GROUP BY ALL
),
best_name AS (
    SELECT entity_id, arg_max(canonical_name, (n, length(canonical_name), canonical_name)) AS canonical_name
    FROM names GROUP BY ALL
)
SELECT m.entity_id, b.canonical_name, any_value(m.entity_type), list_sort(list(DISTINCT m.surface)),
    any_value(m.canonical_key), count(*), count(DISTINCT m.article_id),
    count(*) FILTER (WHERE m.published_date IS NULL), min(m.published_date), max(m.published_date)
FROM entity_mentions m JOIN best_name b USING (entity_id)
GROUP BY m.entity_id, b.canonical_name
ORDER BY m.entity_id;
-- What entities/apply_mention_changes then keeps up to date.
DELETE FROM entity_surface_counts;
INSERT INTO entity_surface_counts (entity_id, canonical_name, surface, mentions)
SELECT entity_id, canonical_name, surface, count(*) FROM entity_mentions GROUP BY ALL;
DELETE FROM entity_mention_changes;
DELETE FROM pipeline_state WHERE key = 'entities_totals';
INSERT INTO pipeline_state VALUES ('entities_totals', $version);
