-- Recompute the daily counts of the days [$start, $end] from their mentions; the *_unique columns
-- leave out articles that duplicate another (article_duplicates).
DELETE FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end;
INSERT INTO mention_counts_daily (published_date, entity_id, entity_type, source, mentions, articles,
    mentions_unique, articles_unique)
SELECT m.published_date, m.entity_id, m.entity_type, coalesce(a.source, '(unknown)'),
    count(*), count(DISTINCT m.article_id),
    count(*) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical'),
    count(DISTINCT m.article_id) FILTER (WHERE coalesce(d.duplicate_kind, 'canonical') = 'canonical')
FROM entity_mentions m
JOIN articles a ON a.article_id = m.article_id
LEFT JOIN article_duplicates d ON d.article_id = m.article_id
WHERE m.published_date BETWEEN $start AND $end
GROUP BY ALL
ORDER BY ALL;
