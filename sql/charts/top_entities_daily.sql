-- Mentions per day of the $top most mentioned entities of [$start, $end] (news_assets.charts).
-- Names come from entities; an entity not (yet) rebuilt there falls back to its mentions' name.
WITH top AS (
    SELECT entity_id, sum(mentions) AS total
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY entity_id
    ORDER BY total DESC, entity_id
    LIMIT $top
), names AS (
    SELECT t.entity_id,
        coalesce(any_value(e.canonical_name), mode(m.canonical_name), t.entity_id) AS name,
        coalesce(any_value(e.entity_type), any_value(m.entity_type), '') AS entity_type
    FROM top t
    LEFT JOIN entities e ON e.entity_id = t.entity_id
    LEFT JOIN entity_mentions m ON m.entity_id = t.entity_id AND e.entity_id IS NULL
    GROUP BY t.entity_id
)
SELECT t.entity_id, n.name, n.entity_type, t.total, c.published_date, sum(c.mentions)::BIGINT
FROM top t
JOIN names n USING (entity_id)
JOIN mention_counts_daily c ON c.entity_id = t.entity_id AND c.published_date BETWEEN $start AND $end
GROUP BY ALL
ORDER BY t.total DESC, t.entity_id, c.published_date;
