-- Drop the mentions and bookkeeping of the articles about to be re-extracted (todo: a registered
-- frame of article_id), in the transaction that lists them. The batches then only append: a batch
-- that first deletes rows spread over the table took ~0.4 s more to checkpoint, inside the
-- warehouse lock. An interrupted run leaves these articles without mentions and without a log
-- row, so the next run extracts them again. Each batch runs it again for its own articles before
-- writing them (entities/write_mentions): normally nothing is left to delete by then. What is
-- deleted is logged for `entities` (entity_mention_changes), in the same transaction.
INSERT INTO entity_mention_changes (entity_id, entity_type, canonical_key, canonical_name, surface, article_id,
    published_date, mentions)
SELECT entity_id, entity_type, canonical_key, canonical_name, surface, article_id, published_date, -count(*)
FROM entity_mentions m
WHERE EXISTS (SELECT 1 FROM pipeline_state WHERE key = 'entities_totals')
  AND m.article_id IN (SELECT article_id FROM todo)
GROUP BY ALL;
DELETE FROM entity_mentions WHERE article_id IN (SELECT article_id FROM todo);
DELETE FROM extraction_log WHERE article_id IN (SELECT article_id FROM todo);
