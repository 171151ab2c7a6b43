-- Mentions per day of the $top most mentioned entities of [$start, $end] (news_assets.charts;
-- names come from charts/entity_names).
WITH top AS (
    SELECT entity_id, sum(mentions) AS total
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY entity_id
    ORDER BY total DESC, entity_id
    LIMIT $top
)
SELECT t.entity_id, t.total, c.published_date, sum(c.mentions)::BIGINT
FROM top t
JOIN mention_counts_daily c ON c.entity_id = t.entity_id AND c.published_date BETWEEN $start AND $end
GROUP BY ALL
ORDER BY t.total DESC, t.entity_id, c.published_date;
