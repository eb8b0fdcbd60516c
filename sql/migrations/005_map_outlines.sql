-- 005: the map's outlines are kept in the store (map_outlines), written by a build for the authority
-- the store serves, so a store of any English authority draws its own districts. An earlier store
-- gains the table empty and is drawn on the outlines every earlier release drew. The schema version
-- this raises matters as much as the table: an earlier release refuses a store from this one rather
-- than draw another authority's schools on the outlines it knows.
--
-- The CREATE TABLE below is a frozen snapshot of map_outlines as release 005 made it, not a second
-- home for the table's definition (sql/schema/135_map_outlines.sql is that home, and has already
-- made the table by the time this runs, hence IF NOT EXISTS). Keep it word for word.
CREATE TABLE IF NOT EXISTS map_outlines (
    id INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    la_code VARCHAR NOT NULL CHECK (regexp_full_match(la_code, '\d{3}')),
    la_name VARCHAR NOT NULL CHECK (length(trim(la_name)) > 0),
    districts VARCHAR NOT NULL,
    authority VARCHAR,
    source VARCHAR NOT NULL
);
