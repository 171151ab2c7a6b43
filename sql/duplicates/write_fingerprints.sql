-- Store one batch of new fingerprints (new_prints is a registered frame).
DELETE FROM article_fingerprints WHERE article_id IN (SELECT article_id FROM new_prints);
INSERT INTO article_fingerprints (article_id, body_hash, text_hash, n_words, minhash)
SELECT article_id, body_hash, text_hash, n_words, minhash FROM new_prints;
