-- Question: Which entities are mentioned most in each ISO week (Monday to Sunday) of a date range?
-- Parameters:
--   $start  = 2025-03-10  first publication day counted (inclusive, UTC)
--   $end    = 2025-03-16  last publication day counted (inclusive, UTC)
--   $top    = 10          how many entities to keep per week
--   $unique = false       true: count canonical articles only (duplicates of another article left out)
-- Columns:
--   iso_week        ISO year and week, e.g. 2025-W11
--   week_start      the Monday of that week
--   rank            1 = most mentioned that week (ties: more articles, then name, then id)
--   entity_id       entities.entity_id
--   canonical_name  entities.canonical_name
--   entity_type     PERS | LOC | ORG | MISC
--   mentions        mentions that week, all sources together
--   articles        distinct articles that week mentioning the entity
--   days            days of the week with at least one mention
-- Only days inside [$start, $end] count: a week cut by the range is counted over its days in the range.
WITH weekly AS (
    SELECT date_trunc('week', published_date)::DATE AS week_start, entity_id,
        sum(CASE WHEN $unique THEN mentions_unique ELSE mentions END)::BIGINT AS mentions,
        sum(CASE WHEN $unique THEN articles_unique ELSE articles END)::BIGINT AS articles,
        count(DISTINCT published_date) FILTER (
            WHERE (CASE WHEN $unique THEN mentions_unique ELSE mentions END) > 0) AS days
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY week_start, entity_id
    HAVING sum(CASE WHEN $unique THEN mentions_unique ELSE mentions END) > 0
),
ranked AS (
    SELECT w.week_start, w.entity_id, e.canonical_name, e.entity_type, w.mentions, w.articles, w.days,
        row_number() OVER (PARTITION BY w.week_start
                           ORDER BY w.mentions DESC, w.articles DESC, e.canonical_name, w.entity_id) AS rank
    FROM weekly w
    JOIN entities e ON e.entity_id = w.entity_id
)
SELECT strftime(week_start, '%G-W%V') AS iso_week, week_start, rank, entity_id, canonical_name, entity_type,
    mentions, articles, days
FROM ranked
WHERE rank <= $top
ORDER BY week_start, rank;
