-- Column names, types and contract comments of one warehouse table, for dagster/column_schema.
SELECT column_name, data_type, comment
FROM duckdb_columns()
WHERE table_name = $table
ORDER BY column_index;
