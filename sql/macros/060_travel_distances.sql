-- partnership_centres(p_as_of): where each partnership is, for travel to learn and for
-- suggestions (grain: partnership_code). A centre is the mean position of the partnership's
-- located, open member schools that must be covered (colleges serve several partnerships, so
-- they would pull every centre towards the towns they stand in). Partnerships with no located
-- member school have no centre.
CREATE OR REPLACE MACRO partnership_centres(p_as_of) AS TABLE
SELECT partnership_code, any_value(partnership_name) AS partnership_name,
       avg(latitude) AS centre_lat, avg(longitude) AS centre_lon, count(*) AS located_members
FROM memberships_on(p_as_of)
WHERE role = 'full' AND known AND is_open AND must_be_covered AND latitude IS NOT NULL
GROUP BY partnership_code;

-- own_centre_distances(p_as_of): for each located school that is a full member of a
-- partnership, its partnership's centre and its distance to it in km (grain: partnership_code,
-- institution_id); travel_distances adds the nearest other centre, which a caller that needs only
-- this (the suggestions for travel outliers) should not pay for.
CREATE OR REPLACE MACRO own_centre_distances(p_as_of) AS TABLE
SELECT l.partnership_code, l.partnership_name, l.institution_id, l.name, l.kind_label, l.district,
       l.latitude, l.longitude, c.located_members, c.centre_lat, c.centre_lon,
       km_between(l.latitude, l.longitude, c.centre_lat, c.centre_lon) AS km_to_own_centre
FROM memberships_on(p_as_of) AS l
JOIN partnership_centres(p_as_of) AS c USING (partnership_code)
WHERE l.role = 'full' AND l.known AND l.is_open AND l.must_be_covered AND l.latitude IS NOT NULL;

-- travel_distances(p_as_of): for each school that is a full member of a partnership, its
-- distance to its partnership's centre (partnership_centres) and to the nearest other
-- partnership's centre, in km (grain: partnership_code, institution_id); the nearest other
-- centre is only looked for among centres nearer than its own (NULL when there is none): those
-- inside a box of that radius round the school (a degree of latitude is at least 110 km; of
-- longitude at least 55 km anywhere south of 60.3N). Of two other centres exactly as near (two
-- partnerships whose only located member is the same school), the lower code is taken.
--
-- The nearest other centre is found on a grid (grid_nearest, which says why), in the cells of the
-- box next to the school's own cell (3 x 3 at most) first, so the work grows with the schools:
-- joining every school with the centres inside its box is a band join on two ranges, which DuckDB
-- runs as a piecewise merge join on one range, filtering by the other, whose work grows with
-- schools x centres (EXPLAIN ANALYZE: 107k pairs at England's size, 2.4M at 16 times). The result
-- is the band join's, centre for centre, except that the band join took whichever of two
-- exactly-as-near centres it met first (so it could change with the number of threads) where this
-- takes the lower code (benchmarks/baselines/travel_distances_before_grid.sql is the band join;
-- tests/test_travel_grid.py compares the two).
CREATE OR REPLACE MACRO travel_distances(p_as_of) AS TABLE
WITH own AS MATERIALIZED ( -- materialized: its row numbers key the rest
    SELECT *, row_number() OVER () AS school FROM own_centre_distances(p_as_of)
),
-- The box (as the band join had it), any centre but its own partnership's.
schools_searching AS (
    SELECT school AS point, latitude, longitude,
           latitude - km_to_own_centre / 110 AS box_lat_lo, latitude + km_to_own_centre / 110 AS box_lat_hi,
           longitude - km_to_own_centre / 55 AS box_lon_lo, longitude + km_to_own_centre / 55 AS box_lon_hi,
           partnership_code AS skip_key, NULL::VARCHAR[] AS skip_keys
    FROM own
),
-- Every centre, as its own members measured to it (each one with a centre has a located member).
centre_targets AS (
    SELECT partnership_code AS key, any_value(partnership_name) AS name, any_value(centre_lat) AS latitude,
           any_value(centre_lon) AS longitude
    FROM own
    GROUP BY partnership_code
),
nearest_other AS (
    SELECT point AS school, nearest_key[1] AS nearest_other_code, nearest_name[1] AS nearest_other_name,
           nearest_km[1] AS km_to_nearest_other
    FROM grid_nearest('schools_searching', 'centre_targets', 1, 1)
)
SELECT o.* EXCLUDE (school, centre_lat, centre_lon), n.nearest_other_code, n.nearest_other_name, n.km_to_nearest_other
FROM own AS o
LEFT JOIN nearest_other AS n USING (school);
