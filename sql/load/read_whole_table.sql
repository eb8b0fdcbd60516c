-- Read every column of every row of one table (grain: one row): DuckDB checks each block it reads
-- against its checksum, so a damaged block fails here rather than in a page or a write.
SELECT count(*) AS rows, sum(hash(t)) AS digest FROM query_table($table) AS t
