-- year10_attribution(p_as_of, p_census_date): every membership in force with what it adds to
-- its partnership's Year 10 proxy and, if nothing, why (grain: partnership_code, institution_id).
-- Only full members that are open high or special schools count; a school that is a full
-- member of k partnerships counts 1/k in each (and is a school_multiple gap).
CREATE OR REPLACE MACRO year10_attribution(p_as_of, p_census_date) AS TABLE
WITH members AS (
    SELECT * FROM memberships_on(p_as_of)
),
full_count AS (
    SELECT institution_id, count(DISTINCT partnership_code) AS partnerships
    FROM members
    WHERE role = 'full' AND known AND must_be_covered AND is_open
    GROUP BY institution_id
),
reasons AS (
    SELECT
        m.partnership_code,
        m.partnership_name,
        m.institution_id,
        m.name,
        m.kind,
        m.kind_label,
        m.district,
        m.role,
        y.headcount AS year10_headcount,
        coalesce(f.partnerships, 1) AS partnerships,
        CASE
            WHEN NOT m.known THEN 'not in the register'
            WHEN m.role <> 'full' THEN 'associate member: not counted'
            WHEN NOT m.is_open THEN 'closed'
            WHEN NOT m.counts_year10 THEN 'a ' || m.kind_label || ' adds nothing to the proxy'
            WHEN y.headcount IS NULL THEN 'no Year 10 figure on the census used'
        END AS not_counted_because
    FROM members AS m
    LEFT JOIN full_count AS f USING (institution_id)
    LEFT JOIN stg_year10 AS y ON y.urn = m.institution_id AND y.census_date = p_census_date::DATE
)
SELECT
    *,
    not_counted_because IS NULL AS counted,
    CASE WHEN not_counted_because IS NULL THEN year10_headcount ELSE 0 END AS counted_headcount,
    CAST(CAST(
        CAST(CASE WHEN not_counted_because IS NULL THEN year10_headcount ELSE 0 END AS HUGEINT) * 10000 // partnerships
    AS DECIMAL(38, 0)) * 0.0001 AS DECIMAL(18, 4)) AS counted_year10
FROM reasons;
