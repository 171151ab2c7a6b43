-- The window the charts show: the last $days publication days with counts (no empty lead-in).
SELECT greatest(min(published_date), max(published_date) - ($days - 1)::INTEGER) AS first_day,
    max(published_date) AS last_day
FROM mention_counts_daily;
