-- The $top most connected entities of [$start, $end] (most distinct partners, then most shared
-- articles) with their mentions in the range (news_assets.charts; names come from
-- charts/entity_names).
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
), counted AS (
    SELECT entity_id, sum(mentions) AS mentions FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end AND entity_id IN (SELECT entity_id FROM top)
    GROUP BY entity_id
)
SELECT t.entity_id, coalesce(c.mentions, 0)::BIGINT
FROM top t LEFT JOIN counted c USING (entity_id)
ORDER BY t.partners DESC, t.shared DESC, t.entity_id;
