-- What the charts of the days [$start, $end] are drawn from, summed up (entity_charts): the window's
-- daily counts and co-occurring pairs, and the names and types of the entities in them. When it is
-- the same as at the last drawing, so are the pictures, and they are kept. Each part is a row count
-- and the XOR of the rows' hashes: an order-free fingerprint of a set of distinct rows (every row
-- of these tables has a key of its own). `named` < `mentioned` when an entity has no row in
-- `entities`: its name then comes from its mentions, which this does not read, so the charts are
-- drawn again.
WITH window_entities AS (
    SELECT DISTINCT entity_id FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end
)
SELECT
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(published_date, entity_id, entity_type, source, mentions)), 0)
     FROM mention_counts_daily WHERE published_date BETWEEN $start AND $end) AS counts,
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(published_date, entity_a, entity_b, articles)), 0)
     FROM entity_cooccurrence WHERE published_date BETWEEN $start AND $end) AS pairs,
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(entity_id, canonical_name, entity_type)), 0)
     FROM entities SEMI JOIN window_entities USING (entity_id)) AS names,
    (SELECT count(*) FROM entities SEMI JOIN window_entities USING (entity_id)) AS named,
    (SELECT count(*) FROM window_entities) AS mentioned;
