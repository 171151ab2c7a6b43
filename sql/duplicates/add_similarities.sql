-- Add newly verified pairs (new_similarities is a registered frame of pairs not stored before).
INSERT INTO duplicate_similarities (text_hash_a, text_hash_b, jaccard)
SELECT text_hash_a, text_hash_b, jaccard FROM new_similarities;
