-- Store new fingerprints (new_prints is a registered frame) and drop those of vanished or changed bodies.
DELETE FROM article_fingerprints WHERE article_id IN (SELECT article_id FROM new_prints);
DELETE FROM article_fingerprints AS f
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = f.article_id AND a.body_hash = f.body_hash);
INSERT INTO article_fingerprints (article_id, body_hash, text_hash, n_words, minhash)
SELECT article_id, body_hash, text_hash, n_words, minhash FROM new_prints;
