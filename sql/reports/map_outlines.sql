-- The outlines the map is drawn on (grain: at most one row): none in a store no build has written.
SELECT la_code, la_name, districts, authority, source FROM map_outlines
