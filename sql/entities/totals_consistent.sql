-- Whether the totals kept up to date by entities/apply_mention_changes agree with the mentions:
-- every mention counted once in entities and in entity_surface_counts, none negative. False sends
-- `entities` to a whole rebuild (a change that was not logged, e.g. mentions deleted by hand).
SELECT (SELECT count(*) FROM entity_mentions) AS mentions,
    (SELECT coalesce(sum(mentions), 0) FROM entities) = (SELECT count(*) FROM entity_mentions)
    AND (SELECT coalesce(sum(undated_mentions), 0) FROM entities)
        = (SELECT count(*) FROM entity_mentions WHERE published_date IS NULL)
    AND (SELECT coalesce(sum(mentions), 0) FROM entity_surface_counts) = (SELECT count(*) FROM entity_mentions)
    AND (SELECT count(*) FROM entities WHERE mentions <= 0 OR articles <= 0 OR canonical_name IS NULL) = 0
    AND (SELECT count(*) FROM entity_surface_counts WHERE mentions <= 0) = 0 AS consistent;
