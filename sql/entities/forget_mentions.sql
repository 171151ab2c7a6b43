-- Drop the mentions and bookkeeping of the articles about to be re-extracted (todo: a registered
-- frame of article_id), in the transaction that lists them. The batches then only append: a batch
-- that first deletes rows spread over the table took ~0.4 s more to checkpoint, inside the
-- warehouse lock. An interrupted run leaves these articles without mentions and without a log
-- row, so the next run extracts them again. Each batch runs it again for its own articles before
-- writing them (entities/write_mentions): normally nothing is left to delete by then. Once
-- `entities` keeps its totals, entities/log_removed_mentions runs first, in the same transaction.
DELETE FROM entity_mentions WHERE article_id IN (SELECT article_id FROM todo);
DELETE FROM extraction_log WHERE article_id IN (SELECT article_id FROM todo);
