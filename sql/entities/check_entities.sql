-- Contract checks over entities: a key, and every mention linked to one.
SELECT
    (SELECT count(*) FROM entities) AS entities,
    (SELECT count(*) - count(DISTINCT entity_id) FROM entities) AS duplicate_ids,
    (SELECT count(*) FROM entity_mentions m ANTI JOIN entities e USING (entity_id)) AS unlinked_mentions;
