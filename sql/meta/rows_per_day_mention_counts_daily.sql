-- Rows per publication day in [$start, $end]: each day partition's dagster/row_count.
SELECT published_date, count(*) FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end GROUP BY ALL;
