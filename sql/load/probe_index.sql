-- A lookup on an indexed column (grain: one row): it makes DuckDB load the column's index from its
-- own blocks and check them against their checksums, which reading the table alone does not.
SELECT count(*) AS found
FROM query_table($table)
WHERE COLUMNS(lambda c: c = $column) = (SELECT min(COLUMNS(lambda c: c = $column)) FROM query_table($table))
