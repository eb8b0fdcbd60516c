-- Every located or listed institution with its partnerships and whether it is a gap
-- (grain: institution_id). Partnerships are its full memberships on the as-of day.
WITH members AS (
    SELECT institution_id,
           string_agg(DISTINCT partnership_code, ', ' ORDER BY partnership_code) AS partnerships,
           count(DISTINCT partnership_code) AS partnership_count,
           min(partnership_code) AS first_partnership,
           arg_min(partnership_name, partnership_code) AS first_partnership_name
    FROM memberships_on(effective_as_of($as_of))
    WHERE role = 'full'
    GROUP BY institution_id
),
year10 AS (
    SELECT urn, headcount FROM stg_year10 WHERE census_date = coalesce($census_date, default_census_date($as_of))
)
SELECT
    i.institution_id, i.name, i.kind, i.kind_label, i.district, i.status, i.latitude, i.longitude,
    coalesce(m.partnerships, '') AS partnerships,
    coalesce(m.partnership_count, 0) AS partnership_count,
    coalesce(m.first_partnership, 'none') AS partnership,
    coalesce(m.first_partnership || ' — ' || m.first_partnership_name, 'none') AS partnership_label,
    y.headcount AS year10,
    i.must_be_covered AND is_open_on(i.status, i.opened_on, i.closed_on, effective_as_of($as_of))
        AND coalesce(m.partnership_count, 0) <> 1 AS coverage_gap
FROM stg_institutions AS i
LEFT JOIN members AS m USING (institution_id)
LEFT JOIN year10 AS y ON y.urn = i.urn
WHERE i.kind <> 'other' OR m.institution_id IS NOT NULL
ORDER BY i.name
