-- Row counts of the contract tables, in lineage order.
SELECT table_name, rows FROM (
    SELECT 1 AS pos, 'raw_documents' AS table_name, count(*) AS rows FROM raw_documents
    UNION ALL SELECT 2, 'rejected_documents', count(*) FROM rejected_documents
    UNION ALL SELECT 3, 'articles', count(*) FROM articles
    UNION ALL SELECT 4, 'entity_mentions', count(*) FROM entity_mentions
    UNION ALL SELECT 5, 'entities', count(*) FROM entities
    UNION ALL SELECT 6, 'mention_counts_daily', count(*) FROM mention_counts_daily
    UNION ALL SELECT 7, 'entity_cooccurrence', count(*) FROM entity_cooccurrence
) ORDER BY pos;
