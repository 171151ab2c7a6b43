-- Question: For each source, what share of its entity mentions goes to each entity over a date range?
-- Parameters:
--   $start = 2025-03-10  first publication day (inclusive, UTC)
--   $end   = 2025-03-15  last publication day (inclusive, UTC)
--   $top   = 10          how many entities to keep per source
-- Columns:
--   source           articles.source, or (unknown)
--   rank             1 = largest share in that source (ties: more articles, then name, then id)
--   entity_id        entities.entity_id
--   canonical_name   entities.canonical_name
--   entity_type      PERS | LOC | ORG | MISC
--   mentions         the entity's mentions in that source over the range
--   articles         distinct articles of that source in the range mentioning it
--   source_mentions  all entity mentions in that source over the range
--   share            mentions / source_mentions (sums to 1 per source when $top covers every entity)
WITH per_entity AS (
    SELECT source, entity_id, sum(mentions)::BIGINT AS mentions, sum(articles)::BIGINT AS articles
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY source, entity_id
),
ranked AS (
    SELECT p.source, p.entity_id, e.canonical_name, e.entity_type, p.mentions, p.articles,
        sum(p.mentions) OVER (PARTITION BY p.source)::BIGINT AS source_mentions,
        row_number() OVER (PARTITION BY p.source
                           ORDER BY p.mentions DESC, p.articles DESC, e.canonical_name, p.entity_id) AS rank
    FROM per_entity p
    JOIN entities e ON e.entity_id = p.entity_id
)
SELECT source, rank, entity_id, canonical_name, entity_type, mentions, articles, source_mentions,
    mentions / source_mentions AS share
FROM ranked
WHERE rank <= $top
ORDER BY source, rank;
