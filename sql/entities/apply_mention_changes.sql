-- Bring `entities` up to date from entity_mention_changes (the mentions written and deleted since
-- it last was), rewriting only the rows of the entities those changes touch, with the same values
-- entities/rebuild_entities would give them (tests compare both):
--   mentions, undated_mentions  += the logged change;
--   articles                    += articles that now mention the entity and did not before, minus
--                                  the reverse (before = now - logged change, per article);
--   canonical_name, aliases     from entity_surface_counts, kept up to date here;
--   first_seen, last_seen       min / max over the entity's current mentions (see seen).
-- The log is netted first: a forced re-extraction logs every mention of its range twice, deleted
-- then written again, mostly the same. Those pairs cancel, and only what changed is applied. On
-- ANT x8, the log of a forced backfill of 2014-02-24 … 2014-07-29 (24,012 articles; its mentions
-- deleted and written again: 532,606 rows) applied in 0.37-0.41 s and +112-124 MiB under the
-- 128 MB limit; without netting it overran that limit, and took 0.47 s and +261 MiB under 512 MB
-- (scratch). Every total below is a sum of the log over a coarser key, so the net rows give the
-- same totals.
CREATE OR REPLACE TEMP TABLE net_changes AS
SELECT entity_id, any_value(entity_type) AS entity_type, any_value(canonical_key) AS canonical_key,
    canonical_name, surface, article_id, published_date, sum(mentions) AS mentions
FROM entity_mention_changes
GROUP BY entity_id, canonical_name, surface, article_id, published_date
HAVING sum(mentions) <> 0;

CREATE OR REPLACE TEMP TABLE changed_entities AS
SELECT entity_id, any_value(entity_type) AS entity_type, any_value(canonical_key) AS canonical_key,
    sum(mentions) AS mentions, coalesce(sum(mentions) FILTER (WHERE published_date IS NULL), 0) AS undated_mentions
FROM net_changes
GROUP BY entity_id;

CREATE OR REPLACE TEMP TABLE surface_counts AS
SELECT entity_id, canonical_name, surface, sum(mentions) AS mentions
FROM (
    SELECT s.entity_id, s.canonical_name, s.surface, s.mentions
    FROM entity_surface_counts s SEMI JOIN changed_entities c USING (entity_id)
    UNION ALL
    SELECT entity_id, canonical_name, surface, mentions FROM net_changes
)
GROUP BY ALL;
DELETE FROM entity_surface_counts WHERE entity_id IN (SELECT entity_id FROM changed_entities);
INSERT INTO entity_surface_counts (entity_id, canonical_name, surface, mentions)
SELECT entity_id, canonical_name, surface, mentions FROM surface_counts WHERE mentions <> 0;

CREATE OR REPLACE TEMP TABLE changed_rows AS
WITH logged AS (
    SELECT entity_id, article_id, sum(mentions) AS change FROM net_changes GROUP BY ALL
),
-- The logged articles' mentions now, looked up by article and day: an article's mentions all carry
-- one day (a write first forgets every mention the article had, a day's orphans go whole), and
-- the log is the exact difference since the last apply, so an article with net changes has them
-- on the day its mentions are now on, if any. Joined on the day, DuckDB reads only the row groups
-- of the logged days (the join's bounds go into the scan) instead of every article_id.
logged_days AS (
    SELECT DISTINCT article_id, published_date FROM net_changes
),
present AS (
    SELECT m.entity_id, m.article_id, count(*) AS n
    FROM entity_mentions m
    JOIN logged_days k ON k.article_id = m.article_id AND k.published_date = m.published_date
    GROUP BY ALL
    UNION ALL
    SELECT m.entity_id, m.article_id, count(*) AS n
    FROM entity_mentions m
    WHERE m.published_date IS NULL
      AND m.article_id IN (SELECT article_id FROM logged_days WHERE published_date IS NULL)
    GROUP BY ALL
),
article_change AS (
    SELECT l.entity_id,
        sum((coalesce(p.n, 0) > 0)::BIGINT - (coalesce(p.n, 0) - l.change > 0)::BIGINT) AS articles
    FROM logged l LEFT JOIN present p USING (entity_id, article_id)
    GROUP BY l.entity_id
),
names AS (
    SELECT entity_id, canonical_name, sum(mentions) AS n FROM surface_counts WHERE mentions > 0 GROUP BY ALL
),
best_name AS (
    SELECT entity_id, arg_max(canonical_name, (n, length(canonical_name), canonical_name)) AS canonical_name
    FROM names GROUP BY ALL
),
aliases AS (
    SELECT entity_id, list_sort(list(DISTINCT surface)) AS aliases FROM surface_counts WHERE mentions > 0 GROUP BY ALL
),
-- First and last days seen: the stored ones widened by the days mentions were added on, except
-- for entities that lost mentions on their first or last day, whose mentions are read again (the
-- day may have no mention of them left).
day_changes AS (
    SELECT entity_id, published_date, sum(mentions) AS change
    FROM net_changes WHERE published_date IS NOT NULL GROUP BY ALL
),
reread AS (
    SELECT DISTINCT d.entity_id FROM day_changes d JOIN entities e USING (entity_id)
    WHERE d.change < 0 AND (d.published_date = e.first_seen OR d.published_date = e.last_seen)
),
added_days AS (
    SELECT entity_id, min(published_date) AS first_added, max(published_date) AS last_added
    FROM day_changes WHERE change > 0 GROUP BY entity_id
),
seen AS (
    SELECT entity_id, min(published_date) AS first_seen, max(published_date) AS last_seen
    FROM entity_mentions
    WHERE entity_id IN (SELECT entity_id FROM reread)
    GROUP BY entity_id
    UNION ALL
    SELECT c.entity_id, least(e.first_seen, a.first_added), greatest(e.last_seen, a.last_added)
    FROM changed_entities c LEFT JOIN entities e USING (entity_id) LEFT JOIN added_days a USING (entity_id)
    WHERE c.entity_id NOT IN (SELECT entity_id FROM reread)
)
SELECT c.entity_id, b.canonical_name, coalesce(e.entity_type, c.entity_type) AS entity_type, a.aliases,
    coalesce(e.canonical_key, c.canonical_key) AS canonical_key,
    coalesce(e.mentions, 0) + c.mentions AS mentions,
    coalesce(e.articles, 0) + coalesce(ac.articles, 0) AS articles,
    coalesce(e.undated_mentions, 0) + c.undated_mentions AS undated_mentions,
    s.first_seen, s.last_seen
FROM changed_entities c
LEFT JOIN entities e USING (entity_id)
LEFT JOIN article_change ac USING (entity_id)
LEFT JOIN best_name b USING (entity_id)
LEFT JOIN aliases a USING (entity_id)
LEFT JOIN seen s USING (entity_id);

DELETE FROM entities WHERE entity_id IN (SELECT entity_id FROM changed_entities);
INSERT INTO entities (entity_id, canonical_name, entity_type, aliases, canonical_key, mentions, articles,
    undated_mentions, first_seen, last_seen)
SELECT entity_id, canonical_name, entity_type, aliases, canonical_key, mentions, articles, undated_mentions,
    first_seen, last_seen
FROM changed_rows WHERE mentions > 0
ORDER BY entity_id;
DELETE FROM entity_mention_changes;
DROP TABLE net_changes;
DROP TABLE changed_entities;
DROP TABLE surface_counts;
DROP TABLE changed_rows;
