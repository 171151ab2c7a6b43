-- Mentions per publication day in [$start, $end]: how the recount and the mentions checks cut a
-- range into pieces of bounded size (news_assets.defs.partitions.load_chunks), and a run's
-- range_row_count and last day's dagster/row_count (news_assets.defs.metadata.partition_metadata).
SELECT published_date, count(*) FROM entity_mentions WHERE published_date BETWEEN $start AND $end GROUP BY ALL;
