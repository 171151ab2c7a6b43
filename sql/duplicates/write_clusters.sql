-- Replace the clustering (new_clusters is a registered frame).
DELETE FROM article_duplicates;
INSERT INTO article_duplicates (article_id, cluster_id, canonical_article_id, duplicate_kind, similarity)
SELECT article_id, cluster_id, canonical_article_id, duplicate_kind, similarity FROM new_clusters ORDER BY article_id;
-- A whole clustering reads every fingerprint anyway: drop the band keys of texts no stored
-- fingerprint has any more (changed or removed articles'), which duplicates/added_buckets skips.
DELETE FROM fingerprint_bands WHERE text_hash NOT IN (SELECT text_hash FROM article_fingerprints);
