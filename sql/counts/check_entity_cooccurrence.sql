-- Pairs are ordered (entity_a < entity_b) and (day, a, b) is a key, over the days of [$start, $end]
-- in recount_days (those just recounted).
SELECT count(*) AS rows,
    count(*) FILTER (WHERE NOT entity_a < entity_b) AS unordered,
    count(*) - count(DISTINCT (published_date, entity_a, entity_b)) AS duplicate_keys
FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end
  AND published_date IN (SELECT published_date FROM recount_days);
