-- Whether this connection reads a draft map: it has the temporary memberships table that
-- draft_tables.sql makes.
SELECT count(*) > 0 FROM duckdb_tables() WHERE temporary AND table_name = 'memberships'
