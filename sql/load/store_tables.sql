-- The store's own tables (grain: table_name), for checks that read every one of them.
SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
ORDER BY table_name
