-- Recompute the daily counts of the days [$start, $end] from their mentions; the *_unique columns
-- leave out articles that duplicate another (article_duplicates). Only the days listed in
-- whole_days (a temp table: every day of a run's range, or the days a refresh's delta could not
-- handle, see counts/delta_mention_counts_daily). Their counted_articles rows are written again.
DELETE FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
-- The articles these mentions belong to, as a table, so the planner knows how few they are: joined
-- whole, `articles` and `article_duplicates` (a row per article) were the hash tables of both joins
-- (DuckDB guessed the mentions' side larger), which then grew with the warehouse, not with the days.
CREATE OR REPLACE TEMP TABLE recount_articles AS
SELECT DISTINCT article_id FROM entity_mentions WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
INSERT INTO mention_counts_daily (published_date, entity_id, entity_type, source, mentions, articles,
    mentions_unique, articles_unique)
WITH a AS (SELECT article_id, source FROM articles WHERE article_id IN (SELECT article_id FROM recount_articles)),
d AS (SELECT article_id, duplicate_kind FROM article_duplicates
      WHERE article_id IN (SELECT article_id FROM recount_articles))
SELECT m.published_date, m.entity_id, m.entity_type, coalesce(a.source, '(unknown)'),
    count(*), count(DISTINCT m.article_id),
    count(*) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical'),
    count(DISTINCT m.article_id) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical')
FROM entity_mentions m
JOIN a ON a.article_id = m.article_id
LEFT JOIN d ON d.article_id = m.article_id
WHERE m.published_date BETWEEN $start AND $end
  AND m.published_date IN (SELECT published_date FROM whole_days)
GROUP BY ALL
ORDER BY ALL;
DROP TABLE recount_articles;
-- What was counted, article by article: every extracted article of those days that has a row in
-- `articles` (those are the mentions counted above; an extraction's log row and its mentions are
-- written and deleted together).
DELETE FROM counted_articles WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
INSERT INTO counted_articles (article_id, published_date, extracted_at, run_id, source, canonical, mentions)
WITH l AS (
    SELECT article_id, published_date, extracted_at, run_id, mentions FROM extraction_log
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM whole_days)
)
SELECT l.article_id, l.published_date, l.extracted_at, l.run_id, coalesce(a.source, '(unknown)'),
    coalesce(d.duplicate_kind, 'canonical') = 'canonical', l.mentions
FROM l
JOIN (SELECT article_id, source FROM articles WHERE article_id IN (SELECT article_id FROM l)) a USING (article_id)
LEFT JOIN (SELECT article_id, duplicate_kind FROM article_duplicates WHERE article_id IN (SELECT article_id FROM l)) d
    USING (article_id);
