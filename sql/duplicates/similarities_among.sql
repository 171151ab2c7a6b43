-- Jaccard of the pairs verified before among the texts of the registered frame `texts` (a < b).
SELECT text_hash_a, text_hash_b, jaccard
FROM duplicate_similarities
WHERE text_hash_a IN (SELECT text_hash FROM texts) AND text_hash_b IN (SELECT text_hash FROM texts);
