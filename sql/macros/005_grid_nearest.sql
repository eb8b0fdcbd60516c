-- nearest_in_cells(p_searches, p_targets, p_k): one search of grid_nearest (grain: point): for
-- each point of the table named p_searches, the p_k nearest targets of the table named p_targets
-- (keyed to their cells) it may be offered among those in its cells (cell_lat_lo to cell_lat_hi
-- by cell_lon_lo to cell_lon_hi), as grid_nearest gives them.
CREATE OR REPLACE MACRO nearest_in_cells(p_searches, p_targets, p_k) AS TABLE
WITH cells AS (
    SELECT s.*, a.cell_lat, b.cell_lon
    FROM query_table(p_searches) AS s,
         unnest(range(s.cell_lat_lo, s.cell_lat_hi + 1)) AS a(cell_lat),
         unnest(range(s.cell_lon_lo, s.cell_lon_hi + 1)) AS b(cell_lon)
)
SELECT s.point,
       min(km_between(s.latitude, s.longitude, t.latitude, t.longitude), p_k) AS nearest_km,
       min_by(t.key, (km_between(s.latitude, s.longitude, t.latitude, t.longitude), t.key), p_k) AS nearest_key,
       min_by(t.name, (km_between(s.latitude, s.longitude, t.latitude, t.longitude), t.key), p_k) AS nearest_name
FROM cells AS s
JOIN query_table(p_targets) AS t
  ON t.cell_lat = s.cell_lat AND t.cell_lon = s.cell_lon
 AND t.latitude BETWEEN s.box_lat_lo AND s.box_lat_hi AND t.longitude BETWEEN s.box_lon_lo AND s.box_lon_hi
 AND t.key IS DISTINCT FROM s.skip_key
 AND (s.skip_keys IS NULL OR NOT list_contains(s.skip_keys, t.key))
GROUP BY s.point;

-- grid_nearest(p_points, p_targets, p_ring, p_k): for each point, the p_k nearest targets inside
-- its box that it may be offered, nearest first, ties in distance taken in key order; the one
-- search behind travel_distances (the nearest other centre) and membership_suggestions (the
-- nearest centres for a joiner, colleges for a partnership, nearer centres for a travel outlier).
-- Grain: point; nearest_km, nearest_key and nearest_name are lists, the i-th of each the i-th
-- nearest (three lists rather than one of structs, so that DuckDB works out only those a caller
-- reads: the coverage gaps need no key, and no name when only counted); a point with nothing to
-- offer has no row.
--
-- p_points and p_targets name tables (a caller's CTEs, read with query_table; this macro's own
-- are named grid_*, so a caller's must not be):
--   p_points: point (a unique key), latitude, longitude (located), box_lat_lo, box_lat_hi,
--     box_lon_lo, box_lon_hi (the box in degrees a target must lie in: grid_nearest_anywhere
--     gives every point the box round every target), skip_key (a key never to offer, or NULL)
--     and skip_keys (a list of more, or NULL: a list costs more to check for every candidate,
--     so the usual one key has its own column).
--   p_targets: key, name, latitude, longitude (those without a location are never offered).
--
-- Why a grid: measuring every point against every target grows with both. Each target is keyed to
-- its cell (grid_lat, grid_lon) and a point is joined by cell equality (a hash join) with the
-- targets in the cells of its box p_ring or fewer steps from its own. What is found there is the
-- answer when no nearer target can lie beyond those cells: every target within the distance of
-- the p_k-th found lies in that distance's spherical cap, whose latitude/longitude bounds
-- (cap_dlat, cap_dlon) are exact. The few points where one could are searched again in every cell
-- of their box inside that cap (the whole box when fewer than p_k were found).
CREATE OR REPLACE MACRO grid_nearest(p_points, p_targets, p_ring, p_k) AS TABLE
WITH
grid_targets AS (
    SELECT key, name, latitude, longitude, grid_lat(latitude) AS cell_lat, grid_lon(longitude) AS cell_lon
    FROM query_table(p_targets)
    WHERE latitude IS NOT NULL
),
-- The first search: the cells of the box round the point's own.
grid_first AS (
    SELECT point, latitude, longitude, box_lat_lo, box_lat_hi, box_lon_lo, box_lon_hi, skip_key, skip_keys,
           greatest(grid_lat(box_lat_lo), grid_lat(latitude) - p_ring) AS cell_lat_lo,
           least(grid_lat(box_lat_hi), grid_lat(latitude) + p_ring) AS cell_lat_hi,
           greatest(grid_lon(box_lon_lo), grid_lon(longitude) - p_ring) AS cell_lon_lo,
           least(grid_lon(box_lon_hi), grid_lon(longitude) + p_ring) AS cell_lon_hi
    FROM query_table(p_points)
),
grid_first_found AS (
    SELECT * FROM nearest_in_cells('grid_first', 'grid_targets', p_k)
),
-- The second search, for a point whose box has cells inside the cap of the p_k-th distance found
-- that were not searched first.
grid_second AS MATERIALIZED ( -- materialized: read for its points and for its search
    SELECT * EXCLUDE (first_lat_lo, first_lat_hi, first_lon_lo, first_lon_hi)
    FROM (
        SELECT f.* EXCLUDE (cell_lat_lo, cell_lat_hi, cell_lon_lo, cell_lon_hi, reach_km),
               greatest(grid_lat(f.box_lat_lo), grid_lat(f.latitude - cap_dlat(f.reach_km))) AS cell_lat_lo,
               least(grid_lat(f.box_lat_hi), grid_lat(f.latitude + cap_dlat(f.reach_km))) AS cell_lat_hi,
               greatest(grid_lon(f.box_lon_lo), grid_lon(f.longitude - cap_dlon(f.latitude, f.reach_km))) AS cell_lon_lo,
               least(grid_lon(f.box_lon_hi), grid_lon(f.longitude + cap_dlon(f.latitude, f.reach_km))) AS cell_lon_hi,
               f.cell_lat_lo AS first_lat_lo, f.cell_lat_hi AS first_lat_hi, f.cell_lon_lo AS first_lon_lo,
               f.cell_lon_hi AS first_lon_hi
        FROM (
            SELECT f.*, if(len(n.nearest_km) >= p_k, list_max(n.nearest_km), NULL) AS reach_km
            FROM grid_first AS f
            LEFT JOIN grid_first_found AS n USING (point)
        ) AS f
    )
    WHERE cell_lat_lo < first_lat_lo OR cell_lat_hi > first_lat_hi OR cell_lon_lo < first_lon_lo OR cell_lon_hi > first_lon_hi
)
SELECT * FROM grid_first_found WHERE point NOT IN (SELECT point FROM grid_second)
UNION ALL
SELECT * FROM nearest_in_cells('grid_second', 'grid_targets', p_k);

-- grid_nearest_anywhere(p_points, p_targets, p_ring, p_k): grid_nearest for points (point,
-- latitude, longitude) that may be offered any target: each has the box round every target.
CREATE OR REPLACE MACRO grid_nearest_anywhere(p_points, p_targets, p_ring, p_k) AS TABLE
WITH grid_anywhere AS (
    SELECT p.point, p.latitude, p.longitude, e.box_lat_lo, e.box_lat_hi, e.box_lon_lo, e.box_lon_hi,
           NULL AS skip_key, NULL AS skip_keys -- untyped: keys are codes or ids
    FROM query_table(p_points) AS p,
         (SELECT min(latitude) AS box_lat_lo, max(latitude) AS box_lat_hi,
                 min(longitude) AS box_lon_lo, max(longitude) AS box_lon_hi
          FROM query_table(p_targets)) AS e
)
SELECT * FROM grid_nearest('grid_anywhere', p_targets, p_ring, p_k);
