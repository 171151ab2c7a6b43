-- Counts reconcile with mentions over [$start, $end], and (day, entity, source) is a key.
WITH counted AS (
    SELECT coalesce(sum(mentions), 0) AS mentions, count(*) AS rows,
        count(DISTINCT (published_date, entity_id, source)) AS keys
    FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end
),
raw AS (
    SELECT count(*) AS mentions FROM entity_mentions WHERE published_date BETWEEN $start AND $end
)
SELECT counted.rows, counted.mentions AS counted_mentions, raw.mentions AS raw_mentions,
    counted.rows - counted.keys AS duplicate_keys
FROM counted, raw;
