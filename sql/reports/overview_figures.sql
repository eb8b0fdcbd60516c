-- The Overview's headline figures for one scenario (grain: one row). Every count the page shows
-- comes from here, with the same rules as the allocation and the coverage gaps: schools that must
-- be covered are the open high schools, special schools and PRUs; "covered" is a full member of
-- exactly one partnership; Year 10 counts the open high and special schools' full memberships on
-- the census used (a school in k partnerships 1/k in each). Every value is bound.
WITH
day AS (
    SELECT effective_as_of($as_of) AS as_of,
           coalesce(CAST($census_date AS DATE), default_census_date($as_of, $include_pending, $treat_as_accredited)) AS census_date
),
funding AS (
    SELECT * FROM funding_status(effective_as_of($as_of), $include_pending, $treat_as_accredited)
),
schools AS (
    SELECT i.institution_id, i.counts_year10, count(DISTINCT m.partnership_code) AS partnerships
    FROM stg_institutions AS i
    CROSS JOIN day
    LEFT JOIN memberships_on(effective_as_of($as_of)) AS m ON m.institution_id = i.institution_id AND m.role = 'full'
    WHERE i.must_be_covered AND is_open_on(i.status, i.opened_on, i.closed_on, day.as_of)
    GROUP BY ALL
),
counted AS (
    SELECT a.partnership_code, a.counted_year10, f.funded
    FROM year10_attribution(effective_as_of($as_of), (SELECT census_date FROM day)) AS a
    JOIN funding AS f USING (partnership_code)
    WHERE a.counted
),
on_roll AS (
    -- Year 10 on the rolls of every open high and special school, in a partnership or not.
    SELECT coalesce(sum(y.headcount), 0) AS year10
    FROM stg_year10 AS y
    JOIN stg_institutions AS i ON i.urn = y.urn
    CROSS JOIN day
    WHERE y.census_date = day.census_date AND i.counts_year10 AND is_open_on(i.status, i.opened_on, i.closed_on, day.as_of)
),
figures AS (
    SELECT
        (SELECT as_of FROM day) AS as_of,
        (SELECT census_date FROM day) AS census_date,
        (SELECT count(*) FROM funding) AS partnerships,
        (SELECT count(*) FILTER (WHERE status = 'accredited') FROM funding) AS accredited,
        (SELECT count(*) FILTER (WHERE funded) FROM funding) AS funded,
        (SELECT count(*) FROM schools) AS schools,
        (SELECT count(*) FILTER (WHERE partnerships = 1) FROM schools) AS schools_covered,
        (SELECT count(*) FILTER (WHERE partnerships = 0) FROM schools) AS schools_uncovered,
        (SELECT count(*) FILTER (WHERE partnerships > 1) FROM schools) AS schools_in_several,
        (SELECT CAST(coalesce(sum(counted_year10) FILTER (WHERE funded), 0) AS DECIMAL(18, 4)) FROM counted) AS year10_funded,
        (SELECT CAST(coalesce(sum(counted_year10), 0) AS DECIMAL(18, 4)) FROM counted) AS year10_all_partnerships,
        (SELECT year10 FROM on_roll) AS year10_on_roll
)
SELECT
    *,
    year10_on_roll - year10_funded AS year10_outside_funded,
    schools_uncovered + schools_in_several AS schools_not_covered
FROM figures
