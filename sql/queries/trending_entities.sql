-- Question: Which entities are mentioned more on a given day than on average over the days before it?
-- Parameters:
--   $day          = 2025-03-15  the day to look at (UTC)
--   $window       = 7           trailing window: the $window days before $day (at least 1)
--   $min_mentions = 2           ignore entities with fewer mentions than this on $day
-- Columns:
--   entity_id          entities.entity_id
--   canonical_name     entities.canonical_name
--   entity_type        PERS | LOC | ORG | MISC
--   mentions           mentions on $day, all sources together
--   articles           distinct articles on $day mentioning the entity
--   trailing_mentions  mentions over the $window days before $day
--   active_days        days of the window with at least one mention
--   trailing_avg       trailing_mentions / $window: a day with no mention counts as 0
--   ratio              mentions / trailing_avg; NULL when the entity was not mentioned in the window
-- Rows: entities with mentions >= $min_mentions and mentions > trailing_avg; unseen-in-window first,
-- then by ratio.
WITH window_check AS (
    SELECT CASE WHEN $window::INTEGER < 1 THEN error('trending_entities: $window must be at least 1 day')
                ELSE $window::INTEGER END AS days
),
on_day AS (
    SELECT entity_id, sum(mentions)::BIGINT AS mentions, sum(articles)::BIGINT AS articles
    FROM mention_counts_daily
    WHERE published_date = $day
    GROUP BY entity_id
),
before_day AS (
    SELECT entity_id, sum(mentions)::BIGINT AS mentions, count(DISTINCT published_date) AS active_days
    FROM mention_counts_daily
    WHERE published_date >= $day::DATE - $window::INTEGER AND published_date < $day::DATE
    GROUP BY entity_id
),
scored AS (
    SELECT d.entity_id, d.mentions, d.articles,
        coalesce(t.mentions, 0) AS trailing_mentions,
        coalesce(t.active_days, 0) AS active_days,
        coalesce(t.mentions, 0) / w.days AS trailing_avg
    FROM on_day d
    CROSS JOIN window_check w
    LEFT JOIN before_day t ON t.entity_id = d.entity_id
)
SELECT s.entity_id, e.canonical_name, e.entity_type, s.mentions, s.articles, s.trailing_mentions,
    s.active_days, s.trailing_avg, s.mentions / nullif(s.trailing_avg, 0) AS ratio
FROM scored s
JOIN entities e ON e.entity_id = s.entity_id
WHERE s.mentions >= $min_mentions AND s.mentions > s.trailing_avg
ORDER BY ratio DESC NULLS FIRST, s.mentions DESC, e.canonical_name, s.entity_id;
