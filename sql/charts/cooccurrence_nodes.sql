-- The $top most connected entities of [$start, $end] (most distinct partners, then most shared
-- articles) with their names and mentions in the range (news_assets.charts).
-- Names come from entities; an entity not (yet) rebuilt there falls back to its mentions' name.
WITH pairs AS (
    SELECT entity_a, entity_b, sum(articles) AS articles
    FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end
    GROUP BY entity_a, entity_b
), ends AS (
    SELECT entity_a AS entity_id, articles FROM pairs UNION ALL SELECT entity_b, articles FROM pairs
), top AS (
    SELECT entity_id, count(*) AS partners, sum(articles) AS shared
    FROM ends GROUP BY entity_id
    ORDER BY partners DESC, shared DESC, entity_id
    LIMIT $top
), names AS (
    SELECT t.entity_id,
        coalesce(any_value(e.canonical_name), mode(m.canonical_name), t.entity_id) AS name,
        coalesce(any_value(e.entity_type), any_value(m.entity_type), '') AS entity_type
    FROM top t
    LEFT JOIN entities e ON e.entity_id = t.entity_id
    LEFT JOIN entity_mentions m ON m.entity_id = t.entity_id AND e.entity_id IS NULL
    GROUP BY t.entity_id
), counted AS (
    SELECT entity_id, sum(mentions) AS mentions FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end AND entity_id IN (SELECT entity_id FROM top)
    GROUP BY entity_id
)
SELECT t.entity_id, n.name, n.entity_type, coalesce(c.mentions, 0)::BIGINT
FROM top t JOIN names n USING (entity_id) LEFT JOIN counted c USING (entity_id)
ORDER BY t.partners DESC, t.shared DESC, t.entity_id;
