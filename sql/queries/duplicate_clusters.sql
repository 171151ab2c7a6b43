-- Question: Which articles were published more than once (same story, possibly edited or by another source)?
-- Parameters:
--   $min_members = 2  smallest cluster to list (2: every article that has at least one duplicate)
-- Columns:
--   cluster_id             article_duplicates.cluster_id (= the canonical article's id)
--   canonical_article_id   the earliest published article of the cluster
--   canonical_title        its title
--   canonical_source       its source
--   members                articles in the cluster, the canonical one included
--   exact_duplicates       members with the same normalised body as the canonical article
--   near_duplicates        members with word 5-shingle Jaccard >= 0.8 against it
--   min_similarity         lowest similarity of a member to the canonical article
--   sources                distinct sources involved, sorted
--   first_published_at     earliest publication time of a member (UTC)
--   last_published_at      latest publication time of a member (UTC)
--   article_ids            member article ids, earliest first
WITH members AS (
    SELECT d.cluster_id, d.canonical_article_id, d.article_id, d.duplicate_kind, d.similarity,
        coalesce(a.source, '(unknown)') AS source, a.published_at
    FROM article_duplicates d
    JOIN articles a ON a.article_id = d.article_id
)
SELECT m.cluster_id, m.canonical_article_id, c.title AS canonical_title,
    coalesce(c.source, '(unknown)') AS canonical_source,
    count(*) AS members,
    count(*) FILTER (WHERE m.duplicate_kind = 'exact') AS exact_duplicates,
    count(*) FILTER (WHERE m.duplicate_kind = 'near') AS near_duplicates,
    min(m.similarity) AS min_similarity,
    list(DISTINCT m.source ORDER BY m.source) AS sources,
    min(m.published_at) AS first_published_at,
    max(m.published_at) AS last_published_at,
    list(m.article_id ORDER BY m.published_at NULLS LAST, m.article_id) AS article_ids
FROM members m
JOIN articles c ON c.article_id = m.canonical_article_id
GROUP BY m.cluster_id, m.canonical_article_id, c.title, c.source
HAVING count(*) >= $min_members
ORDER BY members DESC, first_published_at NULLS LAST, cluster_id;
