-- Mentions per publication day in [$start, $end]: how the recount and the mentions checks cut a
-- range into pieces of bounded size (news_assets.defs.partitions.load_chunks).
SELECT published_date, count(*) FROM entity_mentions WHERE published_date BETWEEN $start AND $end GROUP BY ALL;
