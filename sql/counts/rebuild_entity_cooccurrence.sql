-- Recompute co-occurring entity pairs for the days [$start, $end]: two entities in one article.
-- Only the days listed in recount_days (see counts/rebuild_mention_counts_daily).
DELETE FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM recount_days);
INSERT INTO entity_cooccurrence (published_date, entity_a, entity_b, articles)
WITH article_entities AS (
    SELECT DISTINCT published_date, article_id, entity_id
    FROM entity_mentions WHERE published_date BETWEEN $start AND $end
      AND published_date IN (SELECT published_date FROM recount_days)
)
SELECT x.published_date, x.entity_id, y.entity_id, count(*)
FROM article_entities x
JOIN article_entities y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
GROUP BY ALL
ORDER BY ALL;
