-- Keep the verified pairs (new_similarities is a registered frame) whose texts both still exist.
DELETE FROM duplicate_similarities;
INSERT INTO duplicate_similarities (text_hash_a, text_hash_b, jaccard)
SELECT s.text_hash_a, s.text_hash_b, s.jaccard
FROM new_similarities s
WHERE s.text_hash_a IN (SELECT text_hash FROM article_fingerprints)
  AND s.text_hash_b IN (SELECT text_hash FROM article_fingerprints);
