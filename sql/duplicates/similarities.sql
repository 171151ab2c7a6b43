-- Jaccard of the candidate pairs verified by earlier clusterings (text hashes, a < b).
SELECT text_hash_a, text_hash_b, jaccard FROM duplicate_similarities;
