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

-- travel_distances(p_as_of): for each school that is a full member of a partnership, its
-- distance to its partnership's centre (partnership_centres) and to the nearest other
-- partnership's centre, in km (grain: partnership_code, institution_id); the nearest other
-- centre is only looked for among centres nearer than its own (NULL when there is none): those
-- inside a box of that radius round the school (a degree of latitude is at least 110 km; of
-- longitude at least 55 km anywhere south of 60.3N). Of two other centres exactly as near (two
-- partnerships whose only located member is the same school), the lower code is taken.
--
-- Why a grid: joining every school with the centres inside its box is a band join on two ranges,
-- which DuckDB runs as a piecewise merge join on one range, filtering by the other, whose work
-- grows with schools x centres (EXPLAIN ANALYZE: 107k pairs at England's size, 2.4M at 16 times).
-- Here each centre is keyed to its cell of a fixed grid (grid_lat, grid_lon) and a school is
-- joined by cell equality (a hash join) with the centres in the cells of its box next to its own
-- cell (3 x 3 at most), so the work grows with the schools. The nearest centre found there is the
-- nearest in the whole box when no nearer one can lie outside those cells: every point within
-- that distance lies in the distance's spherical cap, whose latitude/longitude bounds
-- (cap_dlat, cap_dlon) are exact. The few schools where it could (a large box and no centre close
-- by) search every cell of their box inside that cap. The result is the band join's, centre for
-- centre, except that the band join took whichever of two exactly-as-near centres it met first
-- (so it could change with the number of threads) where this takes the lower code
-- (benchmarks/baselines/travel_distances_before_grid.sql is the band join; tests/
-- test_travel_grid.py compares the two).
CREATE OR REPLACE MACRO travel_distances(p_as_of) AS TABLE
WITH located AS (
    SELECT * FROM memberships_on(p_as_of)
    WHERE role = 'full' AND known AND is_open AND must_be_covered AND latitude IS NOT NULL
),
centres AS (
    SELECT *, grid_lat(centre_lat) AS cell_lat, grid_lon(centre_lon) AS cell_lon
    FROM partnership_centres(p_as_of)
),
own AS MATERIALIZED ( -- materialized: its row numbers key the rest
    SELECT l.partnership_code, l.partnership_name, l.institution_id, l.name, l.kind_label, l.district,
           l.latitude, l.longitude, c.located_members,
           km_between(l.latitude, l.longitude, c.centre_lat, c.centre_lon) AS km_to_own_centre,
           row_number() OVER () AS school
    FROM located AS l
    JOIN centres AS c USING (partnership_code)
),
-- The box (as the band join had it), the cells it covers, and those next to the school's own.
boxes AS (
    SELECT *, greatest(box_lat_lo, home_lat - 1) AS near_lat_lo, least(box_lat_hi, home_lat + 1) AS near_lat_hi,
           greatest(box_lon_lo, home_lon - 1) AS near_lon_lo, least(box_lon_hi, home_lon + 1) AS near_lon_hi
    FROM (
        SELECT *, grid_lat(lat_lo) AS box_lat_lo, grid_lat(lat_hi) AS box_lat_hi,
               grid_lon(lon_lo) AS box_lon_lo, grid_lon(lon_hi) AS box_lon_hi,
               grid_lat(latitude) AS home_lat, grid_lon(longitude) AS home_lon
        FROM (
            SELECT school, partnership_code, latitude, longitude,
                   latitude - km_to_own_centre / 110 AS lat_lo, latitude + km_to_own_centre / 110 AS lat_hi,
                   longitude - km_to_own_centre / 55 AS lon_lo, longitude + km_to_own_centre / 55 AS lon_hi
            FROM own
        )
    )
),
near_cells AS (
    SELECT b.school, b.partnership_code, b.latitude, b.longitude, b.lat_lo, b.lat_hi, b.lon_lo, b.lon_hi, a.cell_lat, n.cell_lon
    FROM boxes AS b,
         unnest(range(b.near_lat_lo, b.near_lat_hi + 1)) AS a(cell_lat),
         unnest(range(b.near_lon_lo, b.near_lon_hi + 1)) AS n(cell_lon)
),
nearest_near AS (
    SELECT s.school,
           arg_min(c.partnership_code, (km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon), c.partnership_code)) AS nearest_other_code,
           arg_min(c.partnership_name, (km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon), c.partnership_code)) AS nearest_other_name,
           min(km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon)) AS km_to_nearest_other
    FROM near_cells AS s
    JOIN centres AS c
      ON c.cell_lat = s.cell_lat AND c.cell_lon = s.cell_lon
     AND c.partnership_code <> s.partnership_code
     AND c.centre_lat BETWEEN s.lat_lo AND s.lat_hi
     AND c.centre_lon BETWEEN s.lon_lo AND s.lon_hi
    GROUP BY s.school
),
-- The cells a nearer centre could lie in: the box's, inside the cap of the distance found (the
-- whole box when none was found); a school needs the second search when they are not all near.
needed AS (
    SELECT *
    FROM (
        SELECT b.*,
               greatest(b.box_lat_lo, grid_lat(b.latitude - cap_dlat(f.km_to_nearest_other))) AS need_lat_lo,
               least(b.box_lat_hi, grid_lat(b.latitude + cap_dlat(f.km_to_nearest_other))) AS need_lat_hi,
               greatest(b.box_lon_lo, grid_lon(b.longitude - cap_dlon(b.latitude, f.km_to_nearest_other))) AS need_lon_lo,
               least(b.box_lon_hi, grid_lon(b.longitude + cap_dlon(b.latitude, f.km_to_nearest_other))) AS need_lon_hi
        FROM boxes AS b
        LEFT JOIN nearest_near AS f USING (school)
    )
    WHERE need_lat_lo < near_lat_lo OR need_lat_hi > near_lat_hi OR need_lon_lo < near_lon_lo OR need_lon_hi > near_lon_hi
),
far_cells AS (
    SELECT n.school, n.partnership_code, n.latitude, n.longitude, n.lat_lo, n.lat_hi, n.lon_lo, n.lon_hi, a.cell_lat, b.cell_lon
    FROM needed AS n,
         unnest(range(n.need_lat_lo, n.need_lat_hi + 1)) AS a(cell_lat),
         unnest(range(n.need_lon_lo, n.need_lon_hi + 1)) AS b(cell_lon)
),
nearest_far AS (
    SELECT s.school,
           arg_min(c.partnership_code, (km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon), c.partnership_code)) AS nearest_other_code,
           arg_min(c.partnership_name, (km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon), c.partnership_code)) AS nearest_other_name,
           min(km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon)) AS km_to_nearest_other
    FROM far_cells AS s
    JOIN centres AS c
      ON c.cell_lat = s.cell_lat AND c.cell_lon = s.cell_lon
     AND c.partnership_code <> s.partnership_code
     AND c.centre_lat BETWEEN s.lat_lo AND s.lat_hi
     AND c.centre_lon BETWEEN s.lon_lo AND s.lon_hi
    GROUP BY s.school
),
nearest_other AS (
    SELECT * FROM nearest_near WHERE school NOT IN (SELECT school FROM needed)
    UNION ALL
    SELECT * FROM nearest_far
)
SELECT o.* EXCLUDE (school), n.nearest_other_code, n.nearest_other_name, n.km_to_nearest_other
FROM own AS o
LEFT JOIN nearest_other AS n USING (school);
