-- Counts reconcile with mentions over the days of [$start, $end] in recount_days (those just
-- recounted), and (day, entity, source) is a key.
WITH counted AS (
    SELECT coalesce(sum(mentions), 0) AS mentions, count(*) AS rows,
        count(DISTINCT (published_date, entity_id, source)) AS keys
    FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end
      AND published_date IN (SELECT published_date FROM recount_days)
),
raw AS (
    SELECT count(*) AS mentions FROM entity_mentions WHERE published_date BETWEEN $start AND $end
      AND published_date IN (SELECT published_date FROM recount_days)
)
SELECT counted.rows, counted.mentions AS counted_mentions, raw.mentions AS raw_mentions,
    counted.rows - counted.keys AS duplicate_keys
FROM counted, raw;
