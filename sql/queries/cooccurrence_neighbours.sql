-- Question: Which entities are mentioned in the same articles as a given entity, and how strongly?
-- Parameters:
--   $entity = 'ماكرون'    the entity's canonical name or any of its aliases (case and spacing ignored)
--   $start  = 2025-03-10  first publication day (inclusive, UTC)
--   $end    = 2025-03-15  last publication day (inclusive, UTC)
--   $top    = 20          how many neighbours to keep per matching entity
-- Columns:
--   entity_id           the entity $entity names (one group of rows per entity if several match)
--   entity_name         its canonical name
--   rank                1 = most shared articles (ties: higher lift, then name, then id)
--   neighbour_id        entities.entity_id of the co-mentioned entity
--   neighbour_name      its canonical name
--   neighbour_type      PERS | LOC | ORG | MISC
--   shared_articles     dated articles in the range mentioning both
--   entity_articles     dated articles in the range mentioning the entity
--   neighbour_articles  dated articles in the range mentioning the neighbour
--   lift                shared * all / (entity_articles * neighbour_articles), all = dated articles in
--                       the range; > 1 means they meet more often than chance
--   pmi                 log2(lift)
WITH target AS (
    SELECT DISTINCT e.entity_id, e.canonical_name
    FROM entities e, unnest(list_append(e.aliases, e.canonical_name)) AS n(name)
    WHERE lower(trim(regexp_replace(n.name, '[\s\x{00A0}]+', ' ', 'g')))
        = lower(trim(regexp_replace($entity, '[\s\x{00A0}]+', ' ', 'g')))
),
pairs AS (
    SELECT t.entity_id,
        CASE WHEN c.entity_a = t.entity_id THEN c.entity_b ELSE c.entity_a END AS neighbour_id,
        sum(c.articles)::BIGINT AS shared_articles
    FROM entity_cooccurrence c
    JOIN target t ON t.entity_id = c.entity_a OR t.entity_id = c.entity_b
    WHERE c.published_date BETWEEN $start AND $end
    GROUP BY ALL
),
entity_articles AS (
    -- each article has one day and one source, so summing the daily counts gives distinct articles
    SELECT entity_id, sum(articles)::BIGINT AS articles
    FROM mention_counts_daily
    WHERE published_date BETWEEN $start AND $end
    GROUP BY entity_id
),
universe AS (
    SELECT count(*) AS articles FROM articles WHERE published_date BETWEEN $start AND $end
),
scored AS (
    SELECT p.entity_id, t.canonical_name AS entity_name, p.neighbour_id, n.canonical_name AS neighbour_name,
        n.entity_type AS neighbour_type, p.shared_articles,
        ta.articles AS entity_articles, na.articles AS neighbour_articles,
        p.shared_articles * u.articles / (ta.articles * na.articles) AS lift
    FROM pairs p
    JOIN target t ON t.entity_id = p.entity_id
    JOIN entities n ON n.entity_id = p.neighbour_id
    JOIN entity_articles ta ON ta.entity_id = p.entity_id
    JOIN entity_articles na ON na.entity_id = p.neighbour_id
    CROSS JOIN universe u
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY entity_id
                                 ORDER BY shared_articles DESC, lift DESC, neighbour_name, neighbour_id) AS rank
    FROM scored
)
SELECT entity_id, entity_name, rank, neighbour_id, neighbour_name, neighbour_type, shared_articles,
    entity_articles, neighbour_articles, lift, log2(lift) AS pmi
FROM ranked
WHERE rank <= $top
ORDER BY entity_name, entity_id, rank;
