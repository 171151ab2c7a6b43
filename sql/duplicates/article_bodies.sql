-- Inputs of duplicate clustering.
SELECT article_id, body, published_at, source FROM articles ORDER BY article_id;
