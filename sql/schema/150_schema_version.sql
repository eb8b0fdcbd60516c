-- schema_version: one row per migration (sql/migrations) the store has been through (grain: version).
-- The store's schema version is the largest; a store without this table was written before versions
-- were recorded (version 0). A new store is created at today's shape and gets every version at once.
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY CHECK (version >= 1),
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
