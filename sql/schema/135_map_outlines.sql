-- map_outlines: the outlines the store's map is drawn on (grain: at most one row, id = 1): the
-- authority the store serves, its districts as one GeoJSON FeatureCollection (repaired and wound
-- for the map, with its extent as "bbox"; each feature's properties lad_code and lad_name) and the
-- authority's own outline (a GeoJSON Feature). Written by a build with the data, so the map comes
-- from one place whichever authority the store is of. A store with no row (an earlier release's,
-- or one only ever loaded into) is drawn on the outlines every earlier release drew
-- (pipelines/datasets/districts.py).
CREATE TABLE IF NOT EXISTS map_outlines (
    id INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    la_code VARCHAR NOT NULL CHECK (regexp_full_match(la_code, '\d{3}')),
    la_name VARCHAR NOT NULL CHECK (length(trim(la_name)) > 0),
    districts VARCHAR NOT NULL,
    authority VARCHAR,
    source VARCHAR NOT NULL
);
