-- coverage_gaps(...): every way the partnership map falls short of the rules, one row per gap
-- (grain: code, partnership_code, institution_id). Codes, their meaning and what to do are in
-- gap_codes. Parameters: p_as_of (effective_as_of: the data's reference date, else today),
-- p_census_date (default_census_date: the latest complete for the funded), p_include_pending (false),
-- p_travel_km (25), p_treat_as_accredited ([]): the same settings as the allocation, so
-- "census_missing" is an error exactly where the allocation loses money.
-- coverage_gaps_on_census(...) takes the census as named; coverage_gaps(...) at the end works
-- out the default once and calls it (the default's subquery in this text tripled its cost).
CREATE OR REPLACE MACRO coverage_gaps_on_census(
    p_as_of := NULL, p_census_date := NULL, p_include_pending := false, p_travel_km := 25,
    p_treat_as_accredited := []::VARCHAR[]
) AS TABLE
WITH
census AS (
    SELECT CAST(p_census_date AS DATE) AS census_date
),
members AS (
    SELECT * FROM memberships_on(effective_as_of(p_as_of))
),
full_members AS (
    SELECT * FROM members WHERE role = 'full'
),
open_institutions AS (
    SELECT * FROM stg_institutions
    WHERE is_open_on(status, opened_on, closed_on, effective_as_of(p_as_of))
),
funding AS (
    SELECT * FROM funding_status(effective_as_of(p_as_of), p_include_pending, p_treat_as_accredited)
),
school_counts AS (
    SELECT institution_id, count(DISTINCT partnership_code) AS partnerships,
           string_agg(DISTINCT partnership_code, ', ' ORDER BY partnership_code) AS codes
    FROM full_members
    WHERE known AND is_open AND must_be_covered
    GROUP BY institution_id
),
associate_of AS (
    SELECT institution_id, string_agg(DISTINCT partnership_code, ', ' ORDER BY partnership_code) AS codes
    FROM members
    WHERE role = 'associate'
    GROUP BY institution_id
),
gaps AS (
    -- school_uncovered
    SELECT 'school_uncovered' AS code, NULL AS partnership_code, i.institution_id,
           i.name || ' (' || i.kind_label || ') is a full member of no partnership'
               || coalesce('; it is only an associate member of ' || a.codes, '') AS detail
    FROM open_institutions AS i
    LEFT JOIN school_counts AS s USING (institution_id)
    LEFT JOIN associate_of AS a USING (institution_id)
    WHERE i.must_be_covered AND s.institution_id IS NULL

    UNION ALL -- school_multiple: one row per partnership the school is in
    SELECT 'school_multiple', f.partnership_code, f.institution_id,
           f.name || ' is a full member of ' || s.partnerships || ' partnerships (' || s.codes
               || '); its Year 10 counts 1/' || s.partnerships || ' in each'
    FROM full_members AS f
    JOIN school_counts AS s USING (institution_id)
    WHERE s.partnerships > 1

    UNION ALL -- college_not_full_member, wbl_not_full_member: providers in no partnership as full members
    SELECT CASE i.kind WHEN 'college' THEN 'college_not_full_member' ELSE 'wbl_not_full_member' END, NULL, i.institution_id,
           i.name || ' is a full member of no partnership' || coalesce('; it is only an associate member of ' || a.codes, '')
    FROM open_institutions AS i
    LEFT JOIN associate_of AS a USING (institution_id)
    WHERE i.kind IN ('college', 'wbl_provider')
      AND i.institution_id NOT IN (SELECT institution_id FROM full_members WHERE known AND is_open)

    UNION ALL -- partnership_no_college
    SELECT 'partnership_no_college', p.partnership_code, NULL,
           p.name || ' has no open college as a full member'
    FROM partnerships_on(effective_as_of(p_as_of)) AS p
    WHERE p.partnership_code NOT IN (SELECT partnership_code FROM full_members WHERE known AND is_open AND kind = 'college')

    UNION ALL -- partnership_no_school
    SELECT 'partnership_no_school', p.partnership_code, NULL,
           p.name || ' has no open high school, special school or PRU as a full member'
    FROM partnerships_on(effective_as_of(p_as_of)) AS p
    WHERE p.partnership_code NOT IN (SELECT partnership_code FROM full_members WHERE known AND is_open AND must_be_covered)

    UNION ALL -- member_unknown
    SELECT 'member_unknown', m.partnership_code, m.institution_id,
           'the roster of ' || m.partnership_name || ' names ' || m.institution_id || ', which is not in the register'
    FROM members AS m
    WHERE NOT m.known

    UNION ALL -- member_closed
    SELECT 'member_closed', m.partnership_code, m.institution_id,
           m.name || ' (' || m.kind_label || ') is closed but still on the roster of ' || m.partnership_name
    FROM members AS m
    WHERE m.known AND NOT m.is_open

    UNION ALL -- member_out_of_scope
    SELECT 'member_out_of_scope', f.partnership_code, f.institution_id,
           f.name || ' is a full member of ' || f.partnership_name || ' but is an ' || f.kind_label || ' (kind ''' || f.kind || ''')'
    FROM full_members AS f
    WHERE f.known AND f.is_open AND f.kind = 'other'

    UNION ALL -- census_missing
    SELECT 'census_missing', y.partnership_code, y.institution_id,
           y.name || ' has no Year 10 figure on the '
               || day_text((SELECT census_date FROM census)) || ' census, so it adds nothing to '
               || y.partnership_name || CASE WHEN fu.funded THEN ' (funded)' ELSE ' (not funded)' END
    FROM year10_attribution(effective_as_of(p_as_of), (SELECT census_date FROM census)) AS y
    JOIN funding AS fu USING (partnership_code)
    WHERE y.role = 'full' AND y.not_counted_because = 'no Year 10 figure on the census used'

    UNION ALL -- not_accredited
    SELECT 'not_accredited', fu.partnership_code, NULL,
           fu.partnership_name || ': ' || fu.funding_reason
    FROM funding AS fu
    WHERE coalesce(fu.status, '') <> 'accredited'

    UNION ALL -- review_due (see reviews_due)
    SELECT 'review_due', r.partnership_code, NULL, r.detail
    FROM reviews_due(p_as_of := p_as_of) AS r

    UNION ALL -- travel_outlier
    SELECT 'travel_outlier', t.partnership_code, t.institution_id,
           t.name || ' is ' || round(t.km_to_own_centre, 1) || ' km from the centre of ' || t.partnership_name
               || CASE WHEN t.km_to_nearest_other < t.km_to_own_centre
                       THEN ' but ' || round(t.km_to_nearest_other, 1) || ' km from the centre of ' || t.nearest_other_name
                       ELSE ' (more than ' || p_travel_km || ' km)' END
    FROM travel_distances(effective_as_of(p_as_of)) AS t
    WHERE t.located_members > 1
      AND (t.km_to_own_centre > p_travel_km OR t.km_to_nearest_other < t.km_to_own_centre)

    UNION ALL -- location_missing
    SELECT 'location_missing', f.partnership_code, f.institution_id,
           f.name || ' has no location in the register'
    FROM full_members AS f
    WHERE f.known AND f.is_open AND f.must_be_covered AND f.latitude IS NULL

    UNION ALL -- previous_unmatched
    SELECT 'previous_unmatched', pa.partnership_code, NULL,
           'a previous allocation of ' || pounds_text(CAST(pa.amount * 100 AS HUGEINT)) || ' is recorded for ' || pa.partnership_code || ', which is not a current partnership'
    FROM previous_allocations AS pa
    WHERE pa.partnership_code NOT IN (SELECT partnership_code FROM partnerships_on(effective_as_of(p_as_of)))
)
SELECT
    g.code,
    CASE WHEN c.severity = 'error_if_funded'
         THEN CASE WHEN coalesce(fu.funded, false) THEN 'error' ELSE 'warning' END
         ELSE c.severity END AS severity,
    g.partnership_code,
    p.name AS partnership_name,
    g.institution_id,
    i.name AS institution_name,
    i.kind AS institution_kind,
    i.district,
    g.detail,
    c.action
FROM gaps AS g
JOIN gap_codes AS c USING (code)
LEFT JOIN partnerships AS p USING (partnership_code)
LEFT JOIN funding AS fu USING (partnership_code)
LEFT JOIN stg_institutions AS i USING (institution_id)
ORDER BY severity, g.code, g.partnership_code NULLS FIRST, g.institution_id;

CREATE OR REPLACE MACRO coverage_gaps(
    p_as_of := NULL, p_census_date := NULL, p_include_pending := false, p_travel_km := 25,
    p_treat_as_accredited := []::VARCHAR[]
) AS TABLE
SELECT *
FROM coverage_gaps_on_census(
    p_as_of := p_as_of,
    p_census_date := coalesce(CAST(p_census_date AS DATE), default_census_date(p_as_of, p_include_pending, p_treat_as_accredited)),
    p_include_pending := p_include_pending, p_travel_km := p_travel_km, p_treat_as_accredited := p_treat_as_accredited
);
