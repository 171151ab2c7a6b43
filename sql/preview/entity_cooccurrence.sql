SELECT c.published_date, ea.canonical_name AS entity_a_name, eb.canonical_name AS entity_b_name, c.articles
FROM entity_cooccurrence c
LEFT JOIN entities ea ON ea.entity_id = c.entity_a
LEFT JOIN entities eb ON eb.entity_id = c.entity_b
WHERE c.published_date BETWEEN $start AND $end
ORDER BY c.articles DESC, c.published_date, c.entity_a, c.entity_b LIMIT 10;
