-- Question: How many times a day was a given entity mentioned, by source, over a date range?
-- Parameters:
--   $entity = 'ماكرون'    the entity's canonical name or any of its aliases (case and spacing ignored)
--   $start  = 2025-03-10  first publication day (inclusive, UTC)
--   $end    = 2025-03-15  last publication day (inclusive, UTC)
-- Columns:
--   published_date  every day of the range (days without a mention are there with 0)
--   entity_id       the entity $entity names (several if several entities match)
--   canonical_name  its canonical name
--   source          every source that mentioned it in the range
--   mentions        mentions that day in that source
--   articles        distinct articles that day in that source mentioning it
--   day_mentions    mentions that day, all sources together
WITH target AS (
    SELECT DISTINCT e.entity_id, e.canonical_name
    FROM entities e, unnest(list_append(e.aliases, e.canonical_name)) AS n(name)
    WHERE lower(trim(regexp_replace(n.name, '[\s\x{00A0}]+', ' ', 'g')))
        = lower(trim(regexp_replace($entity, '[\s\x{00A0}]+', ' ', 'g')))
),
days AS (
    SELECT unnest(generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY))::DATE AS published_date
),
counts AS (
    SELECT m.published_date, m.entity_id, m.source, sum(m.mentions)::BIGINT AS mentions, sum(m.articles)::BIGINT AS articles
    FROM mention_counts_daily m
    JOIN target t ON t.entity_id = m.entity_id
    WHERE m.published_date BETWEEN $start AND $end
    GROUP BY ALL
),
series AS (
    SELECT DISTINCT entity_id, source FROM counts
),
filled AS (
    SELECT d.published_date, s.entity_id, t.canonical_name, s.source,
        coalesce(c.mentions, 0) AS mentions, coalesce(c.articles, 0) AS articles
    FROM series s
    JOIN target t ON t.entity_id = s.entity_id
    CROSS JOIN days d
    LEFT JOIN counts c
        ON c.published_date = d.published_date AND c.entity_id = s.entity_id AND c.source = s.source
)
SELECT published_date, entity_id, canonical_name, source, mentions, articles,
    sum(mentions) OVER (PARTITION BY entity_id, published_date)::BIGINT AS day_mentions
FROM filled
ORDER BY published_date, canonical_name, entity_id, source;
