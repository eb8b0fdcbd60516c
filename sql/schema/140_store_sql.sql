-- store_sql: the fingerprint of the SQL (tables, views, macros) that last wrote this store
-- (grain: one row). A store written by an earlier release has another fingerprint, or none, and
-- gets the current views and macros (and any new table) on first use.
CREATE TABLE IF NOT EXISTS store_sql (
    fingerprint VARCHAR NOT NULL
);
