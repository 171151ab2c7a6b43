-- After counts/delta_mention_counts_daily: the days [$start, $end] in recount_days whose counts
-- do not add up to the mentions counted_articles says were counted (all, and without duplicates),
-- to be recounted whole. Normally none. One would be a day whose counts include an article its
-- bookkeeping lacks (counted by a version of the pipeline that kept no counted_articles row for
-- it, on a day that has other rows): the difference would have counted that article again.
WITH counted AS (
    SELECT published_date, sum(mentions) AS mentions, sum(mentions_unique) AS mentions_unique
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days)
    GROUP BY ALL
),
kept AS (
    SELECT published_date, sum(mentions) AS mentions, coalesce(sum(mentions) FILTER (WHERE canonical), 0) AS mentions_unique
    FROM counted_articles
    WHERE published_date BETWEEN $start AND $end AND published_date IN (SELECT published_date FROM recount_days)
    GROUP BY ALL
)
SELECT published_date FROM counted FULL JOIN kept USING (published_date)
WHERE coalesce(counted.mentions, 0) <> coalesce(kept.mentions, 0)
   OR coalesce(counted.mentions_unique, 0) <> coalesce(kept.mentions_unique, 0)
ORDER BY published_date;
