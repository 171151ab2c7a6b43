WITH names AS (SELECT entity_id, any_value(canonical_name) AS canonical_name FROM entity_mentions
               WHERE published_date BETWEEN $start AND $end GROUP BY ALL)
SELECT c.published_date, na.canonical_name AS entity_a_name, nb.canonical_name AS entity_b_name, c.articles
FROM entity_cooccurrence c
LEFT JOIN names na ON na.entity_id = c.entity_a
LEFT JOIN names nb ON nb.entity_id = c.entity_b
WHERE c.published_date BETWEEN $start AND $end
ORDER BY c.articles DESC, c.published_date, c.entity_a, c.entity_b LIMIT 10;
