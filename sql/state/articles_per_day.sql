-- Articles per publication day in [$start, $end]: how a backfill spreads its work over processes.
SELECT published_date, count(*) FROM articles WHERE published_date BETWEEN $start AND $end GROUP BY ALL;
