SELECT published_date, entity_type, surface, canonical_name, article_id, start_char, end_char
FROM entity_mentions
WHERE CASE WHEN $undated THEN published_date IS NULL ELSE published_date BETWEEN $start AND $end END
ORDER BY published_date, article_id, start_char LIMIT 8;
