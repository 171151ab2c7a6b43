-- Whether `entities` keeps its totals from entity_mention_changes (its marker, written by
-- entities/rebuild_entities): then every writer of entity_mentions logs what it changes.
SELECT EXISTS (SELECT 1 FROM pipeline_state WHERE key = 'entities_totals') AS kept;
