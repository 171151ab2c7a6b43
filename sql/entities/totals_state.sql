-- What `entities` needs to choose between applying the logged changes and a whole rebuild: the
-- version its kept totals were built by, how many changes are logged, how many mentions there are.
SELECT (SELECT value FROM pipeline_state WHERE key = 'entities_totals') AS version,
    (SELECT count(*) FROM entity_mention_changes) AS changes,
    (SELECT count(*) FROM entity_mentions) AS mentions;
