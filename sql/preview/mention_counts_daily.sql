WITH names AS (SELECT entity_id, any_value(canonical_name) AS canonical_name FROM entity_mentions
               WHERE published_date BETWEEN $start AND $end GROUP BY ALL)
SELECT c.published_date, n.canonical_name, c.entity_type, c.source, c.mentions, c.articles
FROM mention_counts_daily c LEFT JOIN names n USING (entity_id)
WHERE c.published_date BETWEEN $start AND $end
ORDER BY c.mentions DESC, c.published_date, c.entity_id LIMIT 10;
