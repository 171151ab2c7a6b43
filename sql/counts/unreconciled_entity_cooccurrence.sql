-- After counts/delta_entity_cooccurrence: the days [$start, $end] in recount_days whose pairs do
-- not add up to the pairs paired_articles says were counted, to be recounted whole. Normally none
-- (see counts/unreconciled_mention_counts_daily).
WITH counted AS (
    SELECT published_date, sum(articles) AS pairs FROM entity_cooccurrence
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days)
    GROUP BY ALL
),
kept AS (
    SELECT published_date, sum(pairs) AS pairs FROM paired_articles
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days)
    GROUP BY ALL
)
SELECT published_date FROM counted FULL JOIN kept USING (published_date)
WHERE coalesce(counted.pairs, 0) <> coalesce(kept.pairs, 0)
ORDER BY published_date;
