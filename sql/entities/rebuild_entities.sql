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
