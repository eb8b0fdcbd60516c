-- A deliberate frozen copy of the earlier SQL, kept as a benchmark floor: not a second home for
-- any rule. The rule lives in sql/macros/050_allocation.sql; a change to it is made there, never
-- here.
--
-- The allocation macro as it was before the funding levers (top-slice, protection, manager cost),
-- kept word for word but renamed and temporary, so a benchmark can time today's call against the
-- call as it was, in the same run, on the same connection. Not used by the product.

-- allocation(...): the funding split, one row per partnership (grain: partnership_code).
--
-- a_p = L + (T - L*|F|) * y_p / sum(y) for funded partnerships F; 0 for the others.
-- Exact arithmetic, never binary floats: the pot is counted in rounding units (pence or
-- pounds) as a HUGEINT, and Year 10 is scaled by the least common multiple D of the
-- partnership counts of split schools so that 1/k shares are whole numbers. Each funded
-- partnership gets floor(units * y_p / sum y); the units left over go one each to the largest
-- remainders, ties to the lowest partnership code (Hamilton), so the amounts sum exactly to T.
--
-- Parameters (bound by the caller): p_total, p_lump_sum, p_unit (1 or 0.01), p_day_rate,
-- p_weeks_per_year; optional p_census_date (default_census_date: the latest complete for the
-- funded partnerships), p_include_pending (false), p_as_of (effective_as_of: the data's reference
-- date, else today), p_treat_as_accredited (codes funded in this scenario whatever their status),
-- p_accept_missing_census (false: a funded member school without a Year 10 figure on the census
-- refuses the allocation, since it would silently move its share to the other partnerships).
--
-- allocation_on_census(...) is the split on a census the caller names (p_census_date; NULL gives
-- the "no census" refusal), with p_census_defaulted saying whether that census was the default,
-- for the wording of the missing-census refusal. allocation(...) below works the default out
-- once and calls it: keeping the default's subquery out of this macro's text makes a call with a
-- census (what the dashboard and the command line send) about three times quicker.
CREATE OR REPLACE TEMP MACRO before_levers_on_census(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := NULL, p_include_pending := false, p_as_of := NULL, p_treat_as_accredited := []::VARCHAR[],
    p_accept_missing_census := false, p_census_defaulted := false
) AS TABLE
WITH
settings AS (
    SELECT
        CAST(p_total AS DECIMAL(18, 2)) AS total,
        CAST(p_lump_sum AS DECIMAL(18, 2)) AS lump_sum,
        CAST(p_unit AS DECIMAL(18, 2)) AS unit,
        CAST(p_day_rate AS DECIMAL(18, 2)) AS day_rate,
        CAST(p_weeks_per_year AS DECIMAL(18, 2)) AS weeks_per_year,
        effective_as_of(p_as_of) AS as_of,
        -- The default is only worked out when no census is given (a bound NULL prunes the subquery).
        CAST(p_census_date AS DATE) AS census_date
),
-- Materialised: each is read twice below, and working them out twice cost a third of the call.
funding AS MATERIALIZED (
    SELECT * FROM funding_status(effective_as_of(p_as_of), p_include_pending, p_treat_as_accredited)
),
attribution AS MATERIALIZED (
    SELECT *
    FROM year10_attribution(effective_as_of(p_as_of), (SELECT census_date FROM settings))
),
counted AS (
    SELECT * FROM attribution WHERE counted
),
-- Funded partnerships' member high and special schools with no Year 10 figure on the census.
missing AS (
    SELECT
        count(*) AS schools,
        string_agg(label, '; ' ORDER BY name, institution_id) FILTER (WHERE place <= 10) AS first_ten
    FROM (
        SELECT DISTINCT a.institution_id, a.name, a.name || ' (URN ' || a.institution_id || ')' AS label,
               dense_rank() OVER (ORDER BY a.name, a.institution_id) AS place
        FROM attribution AS a
        JOIN funding AS f USING (partnership_code)
        WHERE f.funded AND a.not_counted_because = 'no Year 10 figure on the census used'
    )
),
scale AS (
    SELECT CAST(coalesce(list_reduce(list(DISTINCT partnerships), lambda a, b: lcm(a, b)), 1) AS HUGEINT) AS d
    FROM counted
),
proxy AS (
    SELECT c.partnership_code, sum(CAST(c.counted_headcount AS HUGEINT) * (s.d // c.partnerships)) AS y_scaled
    FROM counted AS c, scale AS s
    GROUP BY c.partnership_code
),
base AS (
    SELECT f.partnership_code, f.partnership_name, f.status AS accreditation_status, f.funded, f.funding_reason,
           coalesce(p.y_scaled, 0) AS y_scaled
    FROM funding AS f
    LEFT JOIN proxy AS p USING (partnership_code)
),
totals AS (
    SELECT count(*) FILTER (WHERE funded) AS funded_count,
           coalesce(sum(y_scaled) FILTER (WHERE funded), 0) AS y_total
    FROM base
),
guard AS (
    SELECT
        CASE
            WHEN s.total IS NULL OR s.lump_sum IS NULL OR s.unit IS NULL OR s.day_rate IS NULL OR s.weeks_per_year IS NULL
                THEN error('allocation refused: total, lump sum, rounding unit, day rate and weeks per year are all required')
            WHEN CAST(p_unit AS DECIMAL(38, 10)) NOT IN (1, 0.01) THEN error('allocation refused: the rounding unit must be £1 or £0.01')
            WHEN CAST(p_total AS DECIMAL(38, 10)) <> s.total OR CAST(p_lump_sum AS DECIMAL(38, 10)) <> s.lump_sum
                OR CAST(p_day_rate AS DECIMAL(38, 10)) <> s.day_rate
                THEN error('allocation refused: the total, lump sum and day rate must be in pounds and pence (at most two decimal places)')
            WHEN s.total > 10000000000 THEN error('allocation refused: the total pot must be at most £10,000,000,000')
            WHEN s.total < 0 THEN error('allocation refused: the total pot must not be negative')
            WHEN s.lump_sum < 0 THEN error('allocation refused: the lump sum must not be negative')
            WHEN s.total % s.unit <> 0 THEN error('allocation refused: the total £' || s.total || ' is not a whole number of rounding units (£' || s.unit || '); use the £0.01 unit for a total with pence')
            WHEN s.lump_sum % s.unit <> 0 THEN error('allocation refused: the lump sum £' || s.lump_sum || ' is not a whole number of rounding units (£' || s.unit || ')')
            WHEN s.census_date IS NULL THEN error('allocation refused: no census with Year 10 figures is loaded')
            WHEN t.funded_count = 0 THEN error('allocation refused: no partnership is funded (none is accredited under these settings)')
            WHEN mi.schools > 0 AND NOT coalesce(CAST(p_accept_missing_census AS BOOLEAN), false)
                THEN error('allocation refused: ' || mi.schools || ' member school(s) of funded partnerships have no Year 10 figure on the '
                    || strftime(s.census_date, '%d %b %Y') || ' census, so their partnerships would lose their share: ' || mi.first_ten
                    || CASE WHEN mi.schools > 10 THEN ' and ' || (mi.schools - 10) || ' more' ELSE '' END
                    || '. Load their Year 10 figures for that census'
                    || CASE WHEN coalesce(CAST(p_census_defaulted AS BOOLEAN), false) THEN ' (no loaded census has them all)'
                            ELSE ', choose the latest census that has them all (the default when none is chosen)' END
                    || ', or accept the missing figures explicitly, counting those schools as 0 (command line: --accept-missing-census)')
            WHEN s.total < s.lump_sum * t.funded_count THEN error('allocation refused: the total £' || s.total || ' is less than the lump sums (£' || s.lump_sum || ' x ' || t.funded_count || ' funded partnerships = £' || (s.lump_sum * t.funded_count) || ')')
            WHEN t.y_total = 0 THEN error('allocation refused: the funded partnerships have no Year 10 learners on the ' || s.census_date || ' census')
            WHEN s.day_rate <= 0 THEN error('allocation refused: the day rate must be above zero')
            WHEN s.weeks_per_year < 1 OR s.weeks_per_year > 52 THEN error('allocation refused: weeks per year must be between 1 and 52')
            ELSE true
        END AS ok,
        -- Whole pence first, then whole units: integer division, so no DOUBLE can creep in.
        CAST((s.total - s.lump_sum * t.funded_count) * 100 AS HUGEINT) // CAST(s.unit * 100 AS HUGEINT) AS pot_units
    FROM settings AS s, totals AS t, missing AS mi
),
shares AS (
    SELECT
        b.*,
        CASE WHEN b.funded THEN g.pot_units * b.y_scaled // t.y_total ELSE 0 END AS floor_units,
        CASE WHEN b.funded THEN g.pot_units * b.y_scaled % t.y_total ELSE 0 END AS remainder_units,
        g.pot_units
    FROM base AS b, guard AS g, totals AS t
    WHERE g.ok
),
ranked AS (
    SELECT
        *,
        row_number() OVER (ORDER BY funded DESC, remainder_units DESC, partnership_code) AS remainder_rank,
        pot_units - sum(floor_units) OVER () AS leftover_units
    FROM shares
),
amounts AS (
    SELECT
        r.partnership_code,
        r.partnership_name,
        r.funded,
        r.funding_reason,
        r.accreditation_status,
        CAST(CAST(r.y_scaled * 10000 // sc.d AS DECIMAL(38, 0)) * 0.0001 AS DECIMAL(18, 4)) AS year10,
        CASE WHEN r.funded
            THEN CAST(CAST(r.y_scaled * 1000000 // t.y_total AS DECIMAL(38, 0)) * 0.0001 AS DECIMAL(10, 4))
            ELSE CAST(0 AS DECIMAL(10, 4)) END AS share_percent,
        CASE WHEN r.funded
            THEN CAST(s.lump_sum + CAST(r.pot_units * r.y_scaled * 10000 // t.y_total AS DECIMAL(38, 0)) * 0.0001 * s.unit AS DECIMAL(18, 4))
            ELSE CAST(0 AS DECIMAL(18, 4)) END AS exact_amount,
        CASE WHEN r.funded
            THEN CAST(s.lump_sum + (r.floor_units + CASE WHEN r.remainder_rank <= r.leftover_units THEN 1 ELSE 0 END) * s.unit AS DECIMAL(18, 2))
            ELSE CAST(0 AS DECIMAL(18, 2)) END AS allocated,
        s.day_rate * s.weeks_per_year AS pounds_per_weekly_day,
        s.census_date,
        s.as_of
    FROM ranked AS r
    CROSS JOIN settings AS s
    CROSS JOIN scale AS sc
    CROSS JOIN totals AS t
)
-- Days per week and FTE are staffing figures derived from money, not money: shown to 2 and 3 places.
SELECT
    a.partnership_code,
    a.partnership_name,
    a.funded,
    a.funding_reason,
    a.accreditation_status,
    a.year10,
    a.share_percent,
    a.exact_amount,
    a.allocated AS amount,
    CAST(round(CAST(a.allocated AS DOUBLE) / CAST(a.pounds_per_weekly_day AS DOUBLE), 2) AS DECIMAL(18, 2)) AS days_per_week,
    CAST(round(CAST(a.allocated AS DOUBLE) / CAST(a.pounds_per_weekly_day AS DOUBLE) / 5, 3) AS DECIMAL(18, 3)) AS fte,
    pa.amount AS previous_amount,
    a.allocated - pa.amount AS change,
    a.census_date,
    a.as_of
FROM amounts AS a
LEFT JOIN previous_allocations AS pa USING (partnership_code)
ORDER BY a.partnership_code;

-- allocation(...): the split with the census defaulted (see allocation_on_census above).
CREATE OR REPLACE TEMP MACRO before_levers(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := NULL, p_include_pending := false, p_as_of := NULL, p_treat_as_accredited := []::VARCHAR[],
    p_accept_missing_census := false
) AS TABLE
SELECT *
FROM before_levers_on_census(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := coalesce(CAST(p_census_date AS DATE), default_census_date(p_as_of, p_include_pending, p_treat_as_accredited)),
    p_include_pending := p_include_pending, p_as_of := p_as_of, p_treat_as_accredited := p_treat_as_accredited,
    p_accept_missing_census := p_accept_missing_census, p_census_defaulted := p_census_date IS NULL
);
