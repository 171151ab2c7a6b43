-- Publication days whose downstream rows are out of date, with how many articles need extraction
-- and whether the day's mentions need work (mentions_stale). NULL stands for the undated bucket.
-- A day is stale when an article has no extraction for its current body, date and extractor
-- version; when an extraction belongs to an article that is gone, changed or moved (both: its
-- mentions are stale); or when the day's counts (all, or without duplicates) do not reconcile with
-- its mentions (only its counts are: e.g. an article of another day joined its duplicate clusters).
WITH need_extraction AS (
    SELECT a.published_date, count(*) AS n, true AS mentions_stale
    FROM articles a
    LEFT JOIN extraction_log l
        ON l.article_id = a.article_id AND l.body_hash = a.body_hash
        AND l.extractor_version = $extractor_version
        AND l.published_date IS NOT DISTINCT FROM a.published_date
    WHERE l.article_id IS NULL
    GROUP BY ALL
),
orphaned AS (
    SELECT l.published_date, 0 AS n, true AS mentions_stale
    FROM extraction_log l
    LEFT JOIN articles a
        ON a.article_id = l.article_id AND a.body_hash = l.body_hash
        AND a.published_date IS NOT DISTINCT FROM l.published_date
    WHERE a.article_id IS NULL OR l.extractor_version <> $extractor_version
    GROUP BY ALL
),
mention_days AS (
    SELECT m.published_date, count(*) AS mentions,
        count(*) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical') AS mentions_unique
    FROM entity_mentions m LEFT JOIN article_duplicates d USING (article_id)
    WHERE m.published_date IS NOT NULL GROUP BY ALL
),
count_days AS (
    SELECT published_date, sum(mentions) AS mentions, sum(mentions_unique) AS mentions_unique
    FROM mention_counts_daily GROUP BY ALL
),
unreconciled AS (
    SELECT coalesce(m.published_date, c.published_date) AS published_date, 0 AS n, false AS mentions_stale
    FROM mention_days m FULL JOIN count_days c USING (published_date)
    WHERE m.mentions IS DISTINCT FROM c.mentions OR m.mentions_unique IS DISTINCT FROM c.mentions_unique
)
SELECT published_date, sum(n)::BIGINT AS articles_to_extract, bool_or(mentions_stale) AS mentions_stale
FROM (SELECT * FROM need_extraction UNION ALL SELECT * FROM orphaned UNION ALL SELECT * FROM unreconciled)
GROUP BY ALL
ORDER BY published_date NULLS FIRST;
