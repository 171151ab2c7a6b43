SELECT c.published_date, e.canonical_name, c.entity_type, c.source, c.mentions, c.articles
FROM mention_counts_daily c LEFT JOIN entities e USING (entity_id)
WHERE c.published_date BETWEEN $start AND $end
ORDER BY c.mentions DESC, c.published_date, c.entity_id LIMIT 10;
