-- A deliberate frozen copy of the earlier SQL, kept as a benchmark floor (and the reference the
-- grid's distances are compared with): not a second home for any rule. The rule lives in
-- sql/macros/060_travel_distances.sql and sql/macros/005_grid_nearest.sql; a change to it is
-- made there, never here.
--
-- The travel_distances macro as it was before the spatial grid, kept word for word but renamed
-- and temporary, so a test and a benchmark can compare today's results and timings with the macro
-- as it was, in the same run, on the same connection. It joins every located school with every
-- centre inside a latitude/longitude box (a band join: its work grows with the pairs of schools
-- and centres). Not used by the product.

-- travel_distances(p_as_of): for each school that is a full member of a partnership, its
-- distance to its partnership's centre (partnership_centres) and to the nearest other
-- partnership's centre, in km (grain: partnership_code, institution_id); the nearest other
-- centre is only looked for among centres nearer than its own (NULL when there is none).
CREATE OR REPLACE TEMP MACRO travel_distances_before_grid(p_as_of) AS TABLE
WITH located AS (
    SELECT * FROM memberships_on(p_as_of)
    WHERE role = 'full' AND known AND is_open AND must_be_covered AND latitude IS NOT NULL
),
centres AS (
    SELECT * FROM partnership_centres(p_as_of)
),
own AS (
    SELECT l.partnership_code, l.partnership_name, l.institution_id, l.name, l.kind_label, l.district,
           l.latitude, l.longitude, c.located_members,
           km_between(l.latitude, l.longitude, c.centre_lat, c.centre_lon) AS km_to_own_centre
    FROM located AS l
    JOIN centres AS c USING (partnership_code)
),
-- Only centres that could be nearer than the school's own: inside a box of that radius
-- (a degree of latitude is at least 110 km; of longitude at least 55 km anywhere south of 60.3N).
other_centres AS (
    SELECT o.partnership_code, o.institution_id, c.partnership_code AS other_code, c.partnership_name AS other_name,
           km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon) AS km
    FROM own AS o
    JOIN centres AS c
      ON c.partnership_code <> o.partnership_code
     AND c.centre_lat BETWEEN o.latitude - o.km_to_own_centre / 110 AND o.latitude + o.km_to_own_centre / 110
     AND c.centre_lon BETWEEN o.longitude - o.km_to_own_centre / 55 AND o.longitude + o.km_to_own_centre / 55
),
nearest_other AS (
    SELECT partnership_code, institution_id,
           arg_min(other_code, km) AS nearest_other_code,
           arg_min(other_name, km) AS nearest_other_name,
           min(km) AS km_to_nearest_other
    FROM other_centres
    GROUP BY partnership_code, institution_id
)
SELECT o.*, n.nearest_other_code, n.nearest_other_name, n.km_to_nearest_other
FROM own AS o
LEFT JOIN nearest_other AS n USING (partnership_code, institution_id);
