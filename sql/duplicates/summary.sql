-- Cluster statistics and the key check.
SELECT count(*) AS articles,
    count(*) FILTER (WHERE duplicate_kind = 'exact') AS exact,
    count(*) FILTER (WHERE duplicate_kind = 'near') AS near,
    count(DISTINCT cluster_id) FILTER (WHERE duplicate_kind <> 'canonical') AS clusters_with_duplicates,
    count(*) - count(DISTINCT article_id) AS duplicate_ids,
    (SELECT count(*) FROM articles a ANTI JOIN article_duplicates d USING (article_id)) AS unclustered
FROM article_duplicates;
