-- Replace the map's outlines (grain: id = 1): the authority and its outlines as GeoJSON text.
INSERT OR REPLACE INTO map_outlines (id, la_code, la_name, districts, authority, source)
VALUES (1, $la_code, $la_name, $districts, $authority, $source);
