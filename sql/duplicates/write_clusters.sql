-- Replace the clustering (new_clusters is a registered frame).
DELETE FROM article_duplicates;
INSERT INTO article_duplicates (article_id, cluster_id, canonical_article_id, duplicate_kind, similarity)
SELECT article_id, cluster_id, canonical_article_id, duplicate_kind, similarity FROM new_clusters ORDER BY article_id;
