SELECT article_id, published_date, source, title, left(body, 60) AS body
FROM articles ORDER BY parsed_at DESC, article_id LIMIT 5;
