-- Replace the rows of the re-clustered articles (new_clusters is a registered frame: the added
-- articles and every member of the clusters they joined or merged).
DELETE FROM article_duplicates WHERE article_id IN (SELECT article_id FROM new_clusters);
INSERT INTO article_duplicates (article_id, cluster_id, canonical_article_id, duplicate_kind, similarity)
SELECT article_id, cluster_id, canonical_article_id, duplicate_kind, similarity FROM new_clusters ORDER BY article_id;
