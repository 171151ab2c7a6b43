-- Recompute co-occurring entity pairs for the days [$start, $end]: two entities in one article.
-- Only the days listed in whole_days (see counts/rebuild_mention_counts_daily); their
-- paired_articles rows are written again.
DELETE FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
CREATE OR REPLACE TEMP TABLE article_entities AS
SELECT DISTINCT published_date, article_id, entity_id
FROM entity_mentions WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
INSERT INTO entity_cooccurrence (published_date, entity_a, entity_b, articles)
SELECT x.published_date, x.entity_id, y.entity_id, count(*)
FROM article_entities x
JOIN article_entities y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
GROUP BY ALL
ORDER BY ALL;
-- What was counted, article by article: every extracted article of those days, with the pairs it
-- adds (n entities: n(n-1)/2), which counts/unreconciled_entity_cooccurrence sums.
DELETE FROM paired_articles WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM whole_days);
INSERT INTO paired_articles (article_id, published_date, extracted_at, run_id, pairs)
WITH n AS (SELECT article_id, published_date, count(*) AS n FROM article_entities GROUP BY ALL)
SELECT l.article_id, l.published_date, l.extracted_at, l.run_id, coalesce(n.n * (n.n - 1) // 2, 0)
FROM extraction_log l LEFT JOIN n USING (article_id, published_date)
WHERE l.published_date BETWEEN $start AND $end AND l.published_date IN (SELECT published_date FROM whole_days);
DROP TABLE article_entities;
