-- Drop the fingerprints of vanished or changed bodies (before new ones are stored).
DELETE FROM article_fingerprints AS f
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = f.article_id AND a.body_hash = f.body_hash);
