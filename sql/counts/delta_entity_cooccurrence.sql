-- A refresh's co-occurring pairs of the days [$start, $end] in recount_days, by difference: the
-- extracted articles of those days are compared with how they were counted (paired_articles); the
-- pairs of an extraction not counted before are added, and a day where anything else changed (an
-- extraction replaced, gone, or on another day; no paired_articles row at all, as in a warehouse
-- from before them) is left to be recounted whole: whole_days, which
-- counts/rebuild_entity_cooccurrence reads next. Pairs count articles whatever their source or
-- duplicates, so nothing else moves them. Pairs and paired_articles change in one transaction.
CREATE OR REPLACE TEMP TABLE pair_now AS
SELECT article_id, published_date, extracted_at, run_id FROM extraction_log
WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days);
CREATE OR REPLACE TEMP TABLE pair_was AS
SELECT * FROM paired_articles
WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days);
CREATE OR REPLACE TEMP TABLE pair_changes AS
SELECT coalesce(n.article_id, w.article_id) AS article_id, coalesce(n.published_date, w.published_date) AS published_date,
    w.article_id IS NULL AS new
FROM pair_now n FULL JOIN pair_was w USING (article_id, published_date)
WHERE w.article_id IS NULL OR n.article_id IS NULL OR n.extracted_at <> w.extracted_at
   OR n.run_id IS DISTINCT FROM w.run_id;
CREATE OR REPLACE TEMP TABLE whole_days AS
SELECT published_date FROM pair_changes WHERE NOT new
UNION
SELECT published_date FROM recount_days
WHERE published_date BETWEEN $start AND $end AND published_date NOT IN (SELECT published_date FROM pair_was);
CREATE OR REPLACE TEMP TABLE added_entities AS
SELECT DISTINCT m.published_date, m.article_id, m.entity_id
FROM entity_mentions m
WHERE m.published_date BETWEEN $start AND $end
  AND m.published_date NOT IN (SELECT published_date FROM whole_days)
  AND m.article_id IN (SELECT article_id FROM pair_changes WHERE new);
CREATE OR REPLACE TEMP TABLE pair_merged AS
WITH added AS (
    SELECT x.published_date, x.entity_id AS entity_a, y.entity_id AS entity_b, count(*) AS articles
    FROM added_entities x
    JOIN added_entities y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
    GROUP BY ALL
)
SELECT a.published_date, a.entity_a, a.entity_b, coalesce(p.articles, 0) + a.articles AS articles
FROM added a
LEFT JOIN (SELECT * FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end) p
    USING (published_date, entity_a, entity_b);
DELETE FROM entity_cooccurrence p USING pair_merged m
WHERE p.published_date BETWEEN $start AND $end AND p.published_date = m.published_date
  AND p.entity_a = m.entity_a AND p.entity_b = m.entity_b;
INSERT INTO entity_cooccurrence (published_date, entity_a, entity_b, articles)
SELECT published_date, entity_a, entity_b, articles FROM pair_merged ORDER BY ALL;
-- The added articles as counted now (the whole days' rows are written by the recount).
INSERT INTO paired_articles (article_id, published_date, extracted_at, run_id, pairs)
WITH n AS (SELECT article_id, published_date, count(*) AS n FROM added_entities GROUP BY ALL)
SELECT p.article_id, p.published_date, p.extracted_at, p.run_id, coalesce(n.n * (n.n - 1) // 2, 0)
FROM pair_now p SEMI JOIN pair_changes c USING (article_id, published_date)
LEFT JOIN n USING (article_id, published_date)
WHERE p.published_date NOT IN (SELECT published_date FROM whole_days);
DROP TABLE pair_now;
DROP TABLE pair_was;
DROP TABLE pair_changes;
DROP TABLE added_entities;
DROP TABLE pair_merged;
