-- Every column of the store's own tables with its type (grain: table_name, column_name), to
-- compare a backup's tables with the tables this release makes.
SELECT c.table_name, c.column_name, c.data_type
FROM duckdb_columns() AS c
JOIN duckdb_tables() AS t USING (database_name, schema_name, table_name)
WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT t.internal
ORDER BY c.table_name, c.column_index
