-- Question: Which entities are mentioned most on each day of a date range?
-- Parameters:
--   $start  = 2025-03-10  first publication day (inclusive, UTC)
--   $end    = 2025-03-15  last publication day (inclusive, UTC)
--   $top    = 10          how many entities to keep per day
--   $unique = false       true: count canonical articles only (duplicates of another article left out)
-- Columns:
--   published_date  the day
--   rank            1 = most mentioned that day (ties: more articles, then name, then id)
--   entity_id       entities.entity_id
--   canonical_name  entities.canonical_name
--   entity_type     PERS | LOC | ORG | MISC
--   mentions        mentions that day, all sources together
--   articles        distinct articles that day mentioning the entity
-- Undated articles are not counted (they have no day). At most $top rows per day.
WITH daily AS (
    SELECT published_date, entity_id,
        sum(CASE WHEN $unique THEN mentions_unique ELSE mentions END)::BIGINT AS mentions,
        sum(CASE WHEN $unique THEN articles_unique ELSE articles END)::BIGINT AS articles
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY published_date, entity_id
    HAVING sum(CASE WHEN $unique THEN mentions_unique ELSE mentions END) > 0
),
ranked AS (
    SELECT d.published_date, d.entity_id, e.canonical_name, e.entity_type, d.mentions, d.articles,
        row_number() OVER (PARTITION BY d.published_date
                           ORDER BY d.mentions DESC, d.articles DESC, e.canonical_name, d.entity_id) AS rank
    FROM daily d
    JOIN entities e ON e.entity_id = d.entity_id
)
SELECT published_date, rank, entity_id, canonical_name, entity_type, mentions, articles
FROM ranked
WHERE rank <= $top
ORDER BY published_date, rank;
