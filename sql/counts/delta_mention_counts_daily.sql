-- A refresh's counts of the days [$start, $end] in recount_days, by difference: the articles of
-- those days are compared with how they were counted (counted_articles), and only what changed is
-- added to or taken from mention_counts_daily:
--   new       an extraction not counted before: its mentions are added;
--   moved     the same extraction, now of another source or no longer (or now) a duplicate: its
--             mentions, read again, are taken from its old row and added to its new one;
--   anything else (an extraction replaced, gone, or on another day; a day with no counted_articles
--             row, as in a warehouse from before them) leaves its day to be recounted whole:
--             whole_days, which counts/rebuild_mention_counts_daily reads next.
-- An article's mentions are read only when it changed, so the work follows what is new, not how
-- many mentions the days hold. Counts and counted_articles change in one transaction.
CREATE OR REPLACE TEMP TABLE count_now AS
WITH l AS (
    SELECT article_id, published_date, extracted_at, run_id, mentions FROM extraction_log
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days)
)
SELECT l.article_id, l.published_date, l.extracted_at, l.run_id, coalesce(a.source, '(unknown)') AS source,
    coalesce(d.duplicate_kind, 'canonical') = 'canonical' AS canonical, l.mentions
FROM l
JOIN (SELECT article_id, source FROM articles WHERE article_id IN (SELECT article_id FROM l)) a USING (article_id)
LEFT JOIN (SELECT article_id, duplicate_kind FROM article_duplicates WHERE article_id IN (SELECT article_id FROM l)) d
    USING (article_id);
CREATE OR REPLACE TEMP TABLE count_was AS
SELECT * FROM counted_articles
WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days);
CREATE OR REPLACE TEMP TABLE count_changes AS
SELECT * FROM (
    SELECT coalesce(n.article_id, w.article_id) AS article_id, coalesce(n.published_date, w.published_date) AS published_date,
        CASE WHEN w.article_id IS NULL THEN 'new'
             WHEN n.article_id IS NULL OR n.extracted_at <> w.extracted_at OR n.run_id IS DISTINCT FROM w.run_id
                 THEN 'whole'
             WHEN n.source <> w.source OR n.canonical <> w.canonical THEN 'moved'
        END AS change,
        n.source, n.canonical, w.source AS was_source, w.canonical AS was_canonical
    FROM count_now n FULL JOIN count_was w USING (article_id, published_date)
)
WHERE change IS NOT NULL;
CREATE OR REPLACE TEMP TABLE whole_days AS
SELECT published_date FROM count_changes WHERE change = 'whole'
UNION
SELECT published_date FROM recount_days
WHERE published_date BETWEEN $start AND $end AND published_date NOT IN (SELECT published_date FROM count_was);
CREATE OR REPLACE TEMP TABLE count_delta AS
WITH changed AS (
    SELECT * FROM count_changes
    WHERE change IN ('new', 'moved') AND published_date NOT IN (SELECT published_date FROM whole_days)
),
per_article AS (
    SELECT m.article_id, m.published_date, m.entity_id, m.entity_type, count(*) AS n
    FROM entity_mentions m
    WHERE m.published_date BETWEEN $start AND $end AND m.article_id IN (SELECT article_id FROM changed)
    GROUP BY ALL
),
signed AS (
    SELECT p.published_date, p.entity_id, p.entity_type, c.source, 1 AS sign, c.canonical, p.n
    FROM per_article p JOIN changed c USING (article_id, published_date)
    UNION ALL
    SELECT p.published_date, p.entity_id, p.entity_type, c.was_source, -1, c.was_canonical, p.n
    FROM per_article p JOIN changed c USING (article_id, published_date)
    WHERE c.change = 'moved'
)
SELECT published_date, entity_id, entity_type, source AS source,
    sum(sign * n) AS mentions, sum(sign) AS articles,
    coalesce(sum(sign * n) FILTER (WHERE canonical), 0) AS mentions_unique,
    coalesce(sum(sign) FILTER (WHERE canonical), 0) AS articles_unique
FROM signed
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE count_merged AS
SELECT d.published_date, d.entity_id, d.entity_type, d.source,
    coalesce(c.mentions, 0) + d.mentions AS mentions, coalesce(c.articles, 0) + d.articles AS articles,
    coalesce(c.mentions_unique, 0) + d.mentions_unique AS mentions_unique,
    coalesce(c.articles_unique, 0) + d.articles_unique AS articles_unique
FROM count_delta d
LEFT JOIN (SELECT * FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end) c
    USING (published_date, entity_id, entity_type, source);
DELETE FROM mention_counts_daily c USING count_delta d
WHERE c.published_date BETWEEN $start AND $end AND c.published_date = d.published_date
  AND c.entity_id = d.entity_id AND c.entity_type = d.entity_type AND c.source = d.source;
INSERT INTO mention_counts_daily (published_date, entity_id, entity_type, source, mentions, articles,
    mentions_unique, articles_unique)
SELECT published_date, entity_id, entity_type, source, mentions, articles, mentions_unique, articles_unique
FROM count_merged WHERE articles > 0
ORDER BY ALL;
-- The changed articles as counted now (the whole days' rows are written by the recount).
DELETE FROM counted_articles c USING count_changes x
WHERE c.published_date BETWEEN $start AND $end AND c.article_id = x.article_id
  AND c.published_date = x.published_date AND x.published_date NOT IN (SELECT published_date FROM whole_days);
INSERT INTO counted_articles (article_id, published_date, extracted_at, run_id, source, canonical, mentions)
SELECT article_id, published_date, extracted_at, run_id, source, canonical, mentions
FROM count_now SEMI JOIN count_changes USING (article_id, published_date)
WHERE published_date NOT IN (SELECT published_date FROM whole_days);
DROP TABLE count_now;
DROP TABLE count_was;
DROP TABLE count_changes;
DROP TABLE count_delta;
DROP TABLE count_merged;
