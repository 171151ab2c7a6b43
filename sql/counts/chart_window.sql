-- The last $days publication days that have counts: the window the charts show.
SELECT max(published_date) - ($days - 1)::INTEGER AS first_day, max(published_date) AS last_day FROM mention_counts_daily;
