-- travel_distances(p_as_of): for each school that is a full member of a partnership, its
-- distance to its partnership's centre and to the nearest other partnership's centre, in km
-- (grain: partnership_code, institution_id). A centre is the mean position of the
-- partnership's located member schools (colleges serve several partnerships, so they would
-- pull every centre towards the towns they stand in).
CREATE OR REPLACE MACRO travel_distances(p_as_of) AS TABLE
WITH located AS (
    SELECT * FROM memberships_on(p_as_of)
    WHERE role = 'full' AND known AND is_open AND must_be_covered AND latitude IS NOT NULL
),
centres AS (
    SELECT partnership_code, any_value(partnership_name) AS partnership_name,
           avg(latitude) AS centre_lat, avg(longitude) AS centre_lon, count(*) AS located_members
    FROM located
    GROUP BY partnership_code
),
own AS (
    SELECT l.partnership_code, l.partnership_name, l.institution_id, l.name, l.kind_label, l.district,
           l.latitude, l.longitude, c.located_members,
           km_between(l.latitude, l.longitude, c.centre_lat, c.centre_lon) AS km_to_own_centre
    FROM located AS l
    JOIN centres AS c USING (partnership_code)
),
nearest_other AS (
    SELECT o.partnership_code, o.institution_id,
           arg_min(c.partnership_code, km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon)) AS nearest_other_code,
           arg_min(c.partnership_name, km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon)) AS nearest_other_name,
           min(km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon)) AS km_to_nearest_other
    FROM own AS o
    JOIN centres AS c ON c.partnership_code <> o.partnership_code
    GROUP BY o.partnership_code, o.institution_id
)
SELECT o.*, n.nearest_other_code, n.nearest_other_name, n.km_to_nearest_other
FROM own AS o
LEFT JOIN nearest_other AS n USING (partnership_code, institution_id);
