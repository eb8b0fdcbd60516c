-- Each primary-key or unique index of the store's tables, by its first column (grain: table_name,
-- column_name): an index is stored in blocks of its own, which a scan of the table never reads.
SELECT DISTINCT table_name, constraint_column_names[1] AS column_name
FROM duckdb_constraints()
WHERE database_name = current_database() AND schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')
ORDER BY table_name, column_name
