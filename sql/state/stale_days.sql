-- Publication days whose downstream rows are out of date, with how many articles need extraction
-- and whether the day's mentions need work (mentions_stale). NULL stands for the undated bucket.
-- A day is stale when an article has no extraction for its current body, date and extractor
-- version; when an extraction belongs to an article that is gone, changed or moved (both: its
-- mentions are stale); or when the day's counts (all, or without duplicates) do not reconcile with
-- its mentions (only its counts are: e.g. an article of another day joined its duplicate clusters).
-- Articles and their extraction bookkeeping are matched in one full join: each side's unmatched
-- rows are the articles to extract and the stale extractions. A day's mentions are summed from
-- extraction_log (a row records how many mentions were written for its article; the two are
-- written and deleted together, in one transaction), not counted in entity_mentions: on ANT x8
-- (255k articles, 4M mentions) the plan took 0.22-0.24 s with two joins and the mentions,
-- 0.12-0.13 s this way, with the same days (scratch, fresh connections; mutated copies of ANT's
-- warehouse compared).
WITH matched AS (
    SELECT a.published_date AS article_date, a.article_id IS NOT NULL AS has_article,
        l.published_date AS log_date, l.article_id IS NOT NULL AS has_log
    FROM articles a
    FULL JOIN extraction_log l
        ON l.article_id = a.article_id AND l.body_hash = a.body_hash
        AND l.extractor_version = $extractor_version
        AND l.published_date IS NOT DISTINCT FROM a.published_date
    WHERE a.article_id IS NULL OR l.article_id IS NULL
),
need_extraction AS (
    SELECT article_date AS published_date, count(*) AS n, true AS mentions_stale
    FROM matched WHERE NOT has_log GROUP BY ALL
),
orphaned AS (
    SELECT log_date AS published_date, 0 AS n, true AS mentions_stale
    FROM matched WHERE NOT has_article GROUP BY ALL
),
mention_days AS (
    SELECT l.published_date, sum(l.mentions) AS mentions,
        coalesce(sum(l.mentions) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical'), 0)
            AS mentions_unique
    FROM extraction_log l LEFT JOIN article_duplicates d USING (article_id)
    WHERE l.published_date IS NOT NULL AND l.mentions > 0 GROUP BY ALL
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
