-- Rows per publication day in [$start, $end]: a run's range_row_count and its last day's
-- dagster/row_count (news_assets.defs.metadata.partition_metadata).
SELECT published_date, count(*) FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end GROUP BY ALL;
