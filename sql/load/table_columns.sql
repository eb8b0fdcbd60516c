-- One table's columns in their order (grain: column_name), to copy a table by name between stores.
SELECT column_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table
ORDER BY column_index
