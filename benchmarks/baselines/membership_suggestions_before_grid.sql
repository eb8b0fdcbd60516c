-- A deliberate frozen copy of the earlier SQL, kept as a benchmark floor (and the reference the
-- grid's suggestions are compared with): not a second home for any rule. The rule lives in
-- sql/macros/080_membership_suggestions.sql and sql/macros/005_grid_nearest.sql; a change to it
-- is made there, never here.
--
-- The membership_suggestions macro as it was before the spatial grid, kept word for word but
-- renamed and temporary, so a test and a benchmark can compare today's suggestions and timings
-- with the macro as it was, in the same run, on the same connection. It measures every joiner
-- against every centre and every partnership without a college against every college, and joins
-- travel outliers with centres by a latitude/longitude band: work that grows with the pairs.
-- Not used by the product.

-- membership_suggestions(...): for every coverage gap a membership change can close, the
-- alternatives that would close it, best first (grain: gap_code, gap_partnership_code,
-- gap_institution_id, rank, change, partnership_code, member_id). One alternative may take two
-- rows (a move is a remove and an add; keeping one of three partnerships is two removes), so
-- rows of one alternative share its rank. The columns are a plan's (pipelines/plan.py): the
-- rows kept from this output, edited or not, are a valid plan.
-- Parameters: the coverage_gaps_on_census settings, and p_alternatives (3): how many to offer.
-- Distances are to partnership_centres on the as-of day, before any change is made: a plan's
-- own figures show what the changes do to the centres.
CREATE OR REPLACE TEMP MACRO membership_suggestions_before_grid(
    p_as_of := NULL, p_census_date := NULL, p_include_pending := false, p_travel_km := 25,
    p_treat_as_accredited := []::VARCHAR[], p_alternatives := 3
) AS TABLE
WITH
gaps AS (
    SELECT DISTINCT code, partnership_code, institution_id
    FROM coverage_gaps_on_census(
        p_as_of := p_as_of, p_census_date := p_census_date, p_include_pending := p_include_pending,
        p_travel_km := p_travel_km, p_treat_as_accredited := p_treat_as_accredited)
    WHERE code IN ('school_uncovered', 'school_multiple', 'college_not_full_member', 'wbl_not_full_member',
                   'partnership_no_college', 'travel_outlier', 'member_unknown', 'member_closed', 'member_out_of_scope')
),
members AS (
    SELECT * FROM memberships_on(effective_as_of(p_as_of))
),
schools AS (
    SELECT * FROM members WHERE role = 'full' AND known AND is_open AND must_be_covered
),
current_partnerships AS (
    SELECT partnership_code, name AS partnership_name FROM partnerships_on(effective_as_of(p_as_of))
),
centres AS (
    SELECT p.partnership_code, p.partnership_name, c.centre_lat, c.centre_lon
    FROM current_partnerships AS p
    LEFT JOIN partnership_centres(effective_as_of(p_as_of)) AS c USING (partnership_code)
),
district_members AS (
    SELECT partnership_code, district, count(*) AS in_district
    FROM schools
    WHERE district IS NOT NULL
    GROUP BY ALL
),
open_institutions AS (
    SELECT * FROM stg_institutions WHERE is_open_on(status, opened_on, closed_on, effective_as_of(p_as_of))
),

-- An institution in no partnership (school, college or WBL provider): the partnerships it could join.
joiners AS (
    SELECT g.code, i.institution_id, i.name, i.kind, i.district, i.latitude, i.longitude
    FROM gaps AS g
    JOIN stg_institutions AS i USING (institution_id)
    WHERE g.code IN ('school_uncovered', 'college_not_full_member', 'wbl_not_full_member')
),
-- Partnerships ranked by the distance to their centre; only the few offered are measured to
-- their nearest member (measuring every school for every joiner grows with both).
join_by_distance AS (
    SELECT code, institution_id, name, latitude, longitude, district,
           unnest(nearest).partnership_code AS partnership_code, unnest(nearest).partnership_name AS partnership_name,
           unnest(nearest).km AS km_centre
    FROM (
        SELECT j.code, j.institution_id, j.name, j.latitude, j.longitude, j.district,
               min_by({'partnership_code': c.partnership_code, 'partnership_name': c.partnership_name,
                       'km': km_between(j.latitude, j.longitude, c.centre_lat, c.centre_lon)},
                      km_between(j.latitude, j.longitude, c.centre_lat, c.centre_lon), p_alternatives) AS nearest
        FROM joiners AS j
        JOIN centres AS c ON c.centre_lat IS NOT NULL
        WHERE j.latitude IS NOT NULL
        GROUP BY ALL
    )
),
nearest_member AS (
    SELECT j.institution_id, j.partnership_code,
           min(km_between(j.latitude, j.longitude, s.latitude, s.longitude)) AS km_member,
           arg_min(s.name, km_between(j.latitude, j.longitude, s.latitude, s.longitude)) AS member_name
    FROM join_by_distance AS j
    JOIN schools AS s ON s.partnership_code = j.partnership_code AND s.latitude IS NOT NULL
    GROUP BY ALL
),
join_by_district AS (
    SELECT j.code, j.institution_id, j.name, d.partnership_code, c.partnership_name, d.in_district, j.district
    FROM joiners AS j
    JOIN district_members AS d ON d.district = j.district
    JOIN centres AS c USING (partnership_code)
    WHERE j.latitude IS NULL
),
associates AS (
    SELECT partnership_code, institution_id FROM members WHERE role = 'associate'
),
join_ranked AS (
    SELECT j.code, j.institution_id, j.name, j.partnership_code, j.partnership_name, j.km_centre AS distance_km,
           row_number() OVER (PARTITION BY j.code, j.institution_id ORDER BY j.km_centre, j.partnership_code) AS rank,
           'join ' || j.partnership_name || ': ' || round(j.km_centre, 1) || ' km to its centre'
               || coalesce('; nearest member ' || n.member_name || ' is ' || round(n.km_member, 1) || ' km away', '')
               || CASE WHEN d.in_district > 0 THEN '; ' || d.in_district || ' of its member schools are in ' || j.district ELSE '' END AS reason
    FROM join_by_distance AS j
    LEFT JOIN nearest_member AS n USING (institution_id, partnership_code)
    LEFT JOIN district_members AS d ON d.partnership_code = j.partnership_code AND d.district = j.district
    UNION ALL
    SELECT code, institution_id, name, partnership_code, partnership_name, NULL::DOUBLE,
           row_number() OVER (PARTITION BY code, institution_id ORDER BY in_district DESC, partnership_code),
           'join ' || partnership_name || ' by district (no location in the register): '
               || in_district || ' of its member schools are in ' || district
    FROM join_by_district
),
-- Joining a partnership it is an associate of: the associate membership ends as the full one starts.
join_rows AS (
    SELECT j.code, NULL::VARCHAR AS gap_partnership_code, j.institution_id AS gap_institution_id, j.rank,
           'add' AS change, j.partnership_code, j.partnership_name, j.institution_id AS member_id, j.name AS member_name,
           'full' AS role, j.distance_km, j.reason
    FROM join_ranked AS j
    WHERE NOT EXISTS (SELECT 1 FROM associates AS a WHERE a.partnership_code = j.partnership_code AND a.institution_id = j.institution_id)
    UNION ALL
    SELECT j.code, NULL, j.institution_id, j.rank,
           unnest(['remove', 'add']), j.partnership_code, j.partnership_name, j.institution_id, j.name,
           unnest(['associate', 'full']), j.distance_km,
           'make it a full member of ' || j.partnership_name || ' (it is an associate member now); ' || j.reason
    FROM join_ranked AS j
    WHERE EXISTS (SELECT 1 FROM associates AS a WHERE a.partnership_code = j.partnership_code AND a.institution_id = j.institution_id)
),

-- A school that is a full member of several partnerships: keep one, leave the others.
multiple AS (
    SELECT s.institution_id, s.name, s.partnership_code, s.partnership_name, s.district,
           km_between(s.latitude, s.longitude, c.centre_lat, c.centre_lon) AS km_centre,
           coalesce(d.in_district, 0) AS in_district
    FROM gaps AS g
    JOIN schools AS s USING (partnership_code, institution_id)
    JOIN centres AS c USING (partnership_code)
    LEFT JOIN district_members AS d ON d.partnership_code = s.partnership_code AND d.district = s.district
    WHERE g.code = 'school_multiple'
),
keep_options AS (
    SELECT *, row_number() OVER (PARTITION BY institution_id ORDER BY km_centre NULLS LAST, in_district DESC, partnership_code) AS rank
    FROM multiple
),
keep_rows AS (
    SELECT 'school_multiple' AS code, NULL::VARCHAR AS gap_partnership_code, k.institution_id AS gap_institution_id, k.rank,
           'remove' AS change, m.partnership_code, m.partnership_name, m.institution_id AS member_id, m.name AS member_name,
           'full' AS role, m.km_centre AS distance_km,
           'keep it in ' || k.partnership_name
               || coalesce(' (' || round(k.km_centre, 1) || ' km to its centre)', ' (by district: ' || k.in_district || ' member schools in ' || k.district || ')')
               || ' and leave ' || m.partnership_name || coalesce(' (' || round(m.km_centre, 1) || ' km)', '') AS reason
    FROM keep_options AS k
    JOIN multiple AS m ON m.institution_id = k.institution_id AND m.partnership_code <> k.partnership_code
),

-- A partnership without a college: the nearest open colleges, or those in its schools' districts.
no_college AS (
    SELECT g.partnership_code, c.partnership_name, c.centre_lat, c.centre_lon
    FROM gaps AS g
    JOIN centres AS c USING (partnership_code)
    WHERE g.code = 'partnership_no_college'
),
colleges AS (
    SELECT institution_id, name, district, latitude, longitude FROM open_institutions WHERE kind = 'college'
),
-- A located partnership: its nearest located colleges; one without a centre: the colleges in
-- its member schools' districts, those with the most of its schools first.
college_options AS (
    SELECT partnership_code, partnership_name, unnest(nearest).institution_id AS institution_id,
           unnest(nearest).name AS name, unnest(nearest).km AS km_centre, 0 AS in_district, NULL::VARCHAR AS district
    FROM (
        SELECT n.partnership_code, n.partnership_name,
               min_by({'institution_id': i.institution_id, 'name': i.name,
                       'km': km_between(n.centre_lat, n.centre_lon, i.latitude, i.longitude)},
                      km_between(n.centre_lat, n.centre_lon, i.latitude, i.longitude), p_alternatives) AS nearest
        FROM no_college AS n
        JOIN colleges AS i ON i.latitude IS NOT NULL
        WHERE n.centre_lat IS NOT NULL
        GROUP BY ALL
    )
    UNION ALL
    SELECT n.partnership_code, n.partnership_name, i.institution_id, i.name, NULL::DOUBLE, d.in_district, i.district
    FROM no_college AS n
    JOIN district_members AS d ON d.partnership_code = n.partnership_code
    JOIN colleges AS i ON i.district = d.district
    WHERE n.centre_lat IS NULL
),
college_rows AS (
    SELECT 'partnership_no_college' AS code, partnership_code AS gap_partnership_code, NULL::BIGINT AS gap_institution_id,
           row_number() OVER (PARTITION BY partnership_code ORDER BY km_centre NULLS LAST, in_district DESC, institution_id) AS rank,
           'add' AS change, partnership_code, partnership_name, institution_id AS member_id, name AS member_name,
           'full' AS role, km_centre AS distance_km,
           'bring in ' || name || coalesce(': ' || round(km_centre, 1) || ' km from the partnership''s centre',
                                           ' by district (no location to measure): ' || in_district || ' of its member schools are in ' || district) AS reason
    FROM college_options
),

-- A travel outlier: move it to a partnership whose centre is nearer than its own.
outliers AS (
    SELECT t.*
    FROM gaps AS g
    JOIN travel_distances(effective_as_of(p_as_of)) AS t USING (partnership_code, institution_id)
    WHERE g.code = 'travel_outlier'
),
move_ranked AS (
    SELECT from_code, from_name, institution_id, name, km_to_own_centre,
           unnest(nearer).partnership_code AS partnership_code, unnest(nearer).partnership_name AS partnership_name,
           unnest(nearer).km AS km_centre, generate_subscripts(nearer, 1) AS rank
    FROM (
        SELECT o.partnership_code AS from_code, o.partnership_name AS from_name, o.institution_id, o.name, o.km_to_own_centre,
               min_by({'partnership_code': c.partnership_code, 'partnership_name': c.partnership_name,
                       'km': km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon)},
                      km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon), p_alternatives) AS nearer
        FROM outliers AS o
        JOIN centres AS c
          ON c.partnership_code <> o.partnership_code AND c.centre_lat IS NOT NULL
         -- only centres inside the box that could be nearer (as in travel_distances)
         AND c.centre_lat BETWEEN o.latitude - o.km_to_own_centre / 110 AND o.latitude + o.km_to_own_centre / 110
         AND c.centre_lon BETWEEN o.longitude - o.km_to_own_centre / 55 AND o.longitude + o.km_to_own_centre / 55
         AND km_between(o.latitude, o.longitude, c.centre_lat, c.centre_lon) < o.km_to_own_centre
         -- not one it is a full member of already (then keeping one of them is the suggestion)
         AND NOT EXISTS (SELECT 1 FROM schools AS s WHERE s.partnership_code = c.partnership_code AND s.institution_id = o.institution_id)
        GROUP BY ALL
    )
),
move_rows AS (
    SELECT 'travel_outlier' AS code, from_code AS gap_partnership_code, institution_id AS gap_institution_id, rank,
           unnest(['remove', 'add']) AS change,
           unnest([from_code, partnership_code]) AS partnership_code,
           unnest([from_name, partnership_name]) AS partnership_name,
           institution_id AS member_id, name AS member_name, 'full' AS role,
           unnest([km_to_own_centre, km_centre]) AS distance_km,
           'move to ' || partnership_name || ': ' || round(km_centre, 1) || ' km to its centre against '
               || round(km_to_own_centre, 1) || ' km to the centre of ' || from_name AS reason
    FROM move_ranked
),

-- Roster entries to take off: unknown or closed members; out-of-scope full members become associates.
fix_rows AS (
    SELECT g.code, g.partnership_code AS gap_partnership_code, g.institution_id AS gap_institution_id, 1 AS rank,
           'remove' AS change, g.partnership_code, m.partnership_name, g.institution_id AS member_id, m.name AS member_name,
           m.role, NULL::DOUBLE AS distance_km,
           CASE g.code WHEN 'member_unknown' THEN 'take it off the roster: it is not in the register'
                       ELSE 'take it off the roster: it is closed' END AS reason
    FROM gaps AS g
    JOIN members AS m USING (partnership_code, institution_id)
    WHERE g.code IN ('member_unknown', 'member_closed')
    UNION ALL
    SELECT g.code, g.partnership_code, g.institution_id, 1,
           unnest(['remove', 'add']), g.partnership_code, m.partnership_name, g.institution_id, m.name,
           unnest(['full', 'associate']), NULL::DOUBLE,
           'make it an associate member: as ' || m.kind_label || ' it adds nothing to the Year 10 proxy'
    FROM gaps AS g
    JOIN members AS m USING (partnership_code, institution_id)
    WHERE g.code = 'member_out_of_scope' AND m.role = 'full'
),

-- Gaps that need a location before anything can be suggested.
unplaceable AS (
    SELECT g.code, NULL::VARCHAR AS gap_partnership_code, g.institution_id AS gap_institution_id, 1 AS rank,
           'none' AS change, NULL::VARCHAR AS partnership_code, NULL::VARCHAR AS partnership_name,
           g.institution_id AS member_id, i.name AS member_name, NULL::VARCHAR AS role, NULL::DOUBLE AS distance_km,
           'needs a location: it has neither a position nor a district in the register, so no partnership can be suggested' AS reason
    FROM gaps AS g
    JOIN stg_institutions AS i USING (institution_id)
    WHERE g.code IN ('school_uncovered', 'college_not_full_member', 'wbl_not_full_member')
      AND i.latitude IS NULL
      AND NOT EXISTS (SELECT 1 FROM district_members AS d WHERE d.district = i.district)
    UNION ALL
    SELECT 'partnership_no_college', g.partnership_code, NULL, 1, 'none', NULL, c.partnership_name, NULL, NULL, NULL, NULL,
           'needs a location: none of its member schools is located or in a district with a college'
    FROM gaps AS g
    JOIN centres AS c USING (partnership_code)
    WHERE g.code = 'partnership_no_college'
      AND g.partnership_code NOT IN (SELECT partnership_code FROM college_options)
),
everything AS (
    SELECT * FROM join_rows WHERE rank <= p_alternatives
    UNION ALL SELECT * FROM keep_rows WHERE rank <= p_alternatives
    UNION ALL SELECT * FROM college_rows WHERE rank <= p_alternatives
    UNION ALL SELECT * FROM move_rows
    UNION ALL SELECT * FROM fix_rows
    UNION ALL SELECT * FROM unplaceable
)
SELECT
    code AS gap_code, gap_partnership_code, CAST(gap_institution_id AS BIGINT) AS gap_institution_id,
    CAST(rank AS INTEGER) AS rank, change, partnership_code, partnership_name,
    CAST(member_id AS BIGINT) AS member_id, member_name, role, NULL::VARCHAR AS into_code,
    round(distance_km, 2) AS distance_km, reason
FROM everything
ORDER BY gap_code, gap_partnership_code NULLS FIRST, gap_institution_id NULLS FIRST, rank,
         CASE change WHEN 'remove' THEN 0 ELSE 1 END, partnership_code;
