-- allocation(...): the funding split, one row per partnership (grain: partnership_code).
--
-- a_p = L + (T - S - L*|F|) * y_p / sum(y) for funded partnerships F; 0 for the others; S is
-- the county's top-slice, taken off the pot first (p_top_slice pounds, or p_top_slice_pct per
-- cent of the pot rounded down to the unit). With transition protection (p_protect_loss,
-- p_protect_gain, per cent of a partnership's previous 2008/9 amount) the split is capped and
-- scaled: the free partnerships share what is left as L + Year 10 share of the rest; those whose
-- whole amount (lump sum included) breaks its floor (100 - loss)% or cap (100 + gain)% are fixed
-- there (floors rounded up to the unit, caps down; when both kinds break in one round, only the
-- kind more in breach, see capping below); repeat until none breaks; the free ones then share
-- the rest as below. The lump sum is itself a floor for every funded partnership, so a cap below
-- it (or a floor rounded up past a cap rounded down) is refused, naming the partnership.
-- Partnerships without a previous amount have no bound but the lump sum, which a free share
-- always meets.
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
-- refuses the allocation, since it would silently move its share to the other partnerships),
-- p_top_slice (0), p_top_slice_pct (NULL), p_protect_loss (NULL), p_protect_gain (NULL),
-- p_manager_cost (NULL: staffing by the day rate; else FTE = amount / manager cost).
-- Staffing figures are worked out on exact values in whole numbers and rounded half up:
-- days per week to 2 places, FTE to 3.
--
-- allocation_on_census(...) is the split on a census the caller names (p_census_date; NULL gives
-- the "no census" refusal), with p_census_defaulted saying whether that census was the default,
-- for the wording of the missing-census refusal. allocation(...) below works the default out
-- once and calls it: keeping the default's subquery out of this macro's text makes a call with a
-- census (what the dashboard and the command line send) about three times quicker.
CREATE OR REPLACE MACRO allocation_on_census(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := NULL, p_include_pending := false, p_as_of := NULL, p_treat_as_accredited := []::VARCHAR[],
    p_accept_missing_census := false, p_census_defaulted := false,
    p_top_slice := 0, p_top_slice_pct := NULL, p_protect_loss := NULL, p_protect_gain := NULL, p_manager_cost := NULL
) AS TABLE
WITH RECURSIVE
settings AS (
    SELECT
        CAST(p_total AS DECIMAL(18, 2)) AS total,
        CAST(p_lump_sum AS DECIMAL(18, 2)) AS lump_sum,
        CAST(p_unit AS DECIMAL(18, 2)) AS unit,
        CAST(p_day_rate AS DECIMAL(18, 2)) AS day_rate,
        CAST(p_weeks_per_year AS DECIMAL(18, 2)) AS weeks_per_year,
        effective_as_of(p_as_of) AS as_of,
        CAST(p_top_slice AS DECIMAL(18, 2)) AS top_slice_given,
        CAST(p_top_slice_pct AS DECIMAL(7, 4)) AS top_slice_pct,
        CAST(p_protect_loss AS DECIMAL(7, 4)) AS protect_loss,
        CAST(p_protect_gain AS DECIMAL(9, 4)) AS protect_gain,
        CAST(p_manager_cost AS DECIMAL(18, 2)) AS manager_cost,
        -- The default is only worked out when no census is given (a bound NULL prunes the subquery).
        CAST(p_census_date AS DATE) AS census_date
),
-- Money as whole pence (HUGEINT), so every step below is integer arithmetic.
pence AS (
    SELECT
        CAST(s.total * 100 AS HUGEINT) AS total_p,
        CAST(s.lump_sum * 100 AS HUGEINT) AS lump_p,
        CAST(s.unit * 100 AS HUGEINT) AS unit_p,
        -- A percentage is rounded down to the unit, so the county never takes more than it says.
        CASE WHEN s.top_slice_pct IS NULL THEN CAST(coalesce(s.top_slice_given, 0) * 100 AS HUGEINT)
             ELSE CAST(s.total * 100 AS HUGEINT) * CAST(s.top_slice_pct * 10000 AS HUGEINT) // 1000000
                  // CAST(s.unit * 100 AS HUGEINT) * CAST(s.unit * 100 AS HUGEINT) END AS top_slice_p
    FROM settings AS s
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
-- Codes treated as accredited that are not partnerships on the day (a typo would fund nobody
-- and still be printed in the export as if it had).
unknown_treated AS (
    SELECT string_agg(code, ', ' ORDER BY code) AS codes
    FROM (SELECT unnest(coalesce(p_treat_as_accredited, []::VARCHAR[])) AS code)
    WHERE code NOT IN (SELECT partnership_code FROM funding)
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
            WHEN s.total % s.unit <> 0 THEN error('allocation refused: the total ' || pounds_text(pe.total_p) || ' is not a whole number of rounding units (' || pounds_text(pe.unit_p) || '); use the £0.01 unit for a total with pence')
            WHEN s.lump_sum % s.unit <> 0 THEN error('allocation refused: the lump sum ' || pounds_text(pe.lump_p) || ' is not a whole number of rounding units (' || pounds_text(pe.unit_p) || ')')
            WHEN ut.codes IS NOT NULL THEN error('allocation refused: treated as accredited but not a partnership on '
                || day_text(s.as_of) || ': ' || ut.codes)
            WHEN s.census_date IS NULL THEN error('allocation refused: no census with Year 10 figures is loaded')
            WHEN t.funded_count = 0 THEN error('allocation refused: no partnership is funded (none is accredited under these settings)')
            WHEN mi.schools > 0 AND NOT coalesce(CAST(p_accept_missing_census AS BOOLEAN), false)
                THEN error('allocation refused: ' || mi.schools || ' member school(s) of funded partnerships have no Year 10 figure on the '
                    || day_text(s.census_date) || ' census, so their partnerships would lose their share: ' || mi.first_ten
                    || CASE WHEN mi.schools > 10 THEN ' and ' || (mi.schools - 10) || ' more' ELSE '' END
                    || '. Load their Year 10 figures for that census'
                    || CASE WHEN coalesce(CAST(p_census_defaulted AS BOOLEAN), false) THEN ' (no loaded census has them all)'
                            ELSE ', choose the latest census that has them all (the default when none is chosen)' END
                    || ', or accept the missing figures explicitly, counting those schools as 0 (command line: --accept-missing-census)')
            WHEN s.top_slice_pct IS NOT NULL AND coalesce(s.top_slice_given, 0) <> 0
                THEN error('allocation refused: give the top-slice as an amount or as a percentage, not both')
            WHEN s.top_slice_given < 0 OR s.top_slice_pct < 0 OR s.top_slice_pct > 100
                THEN error('allocation refused: the top-slice must be between nothing and the whole pot')
            WHEN CAST(p_top_slice AS DECIMAL(38, 10)) <> s.top_slice_given
                THEN error('allocation refused: the top-slice must be in pounds and pence (at most two decimal places)')
            WHEN pe.top_slice_p % pe.unit_p <> 0
                THEN error('allocation refused: the top-slice ' || pounds_text(pe.top_slice_p) || ' is not a whole number of rounding units (' || pounds_text(pe.unit_p) || ')')
            WHEN pe.top_slice_p > pe.total_p
                THEN error('allocation refused: the top-slice ' || pounds_text(pe.top_slice_p) || ' is more than the pot ' || pounds_text(pe.total_p))
            WHEN s.protect_loss < 0 OR s.protect_loss > 100
                THEN error('allocation refused: the loss limit must be a percentage from 0 to 100')
            WHEN s.protect_gain < 0 THEN error('allocation refused: the gain limit must be a percentage of 0 or more')
            WHEN s.manager_cost <= 0 THEN error('allocation refused: the manager cost must be above zero')
            WHEN pe.total_p - pe.top_slice_p < pe.lump_p * t.funded_count THEN error('allocation refused: the pot after the top-slice ('
                || pounds_text(pe.total_p - pe.top_slice_p) || ') is less than the lump sums (' || pounds_text(pe.lump_p) || ' x '
                || t.funded_count || ' funded partnerships = ' || pounds_text(pe.lump_p * t.funded_count) || ')')
            WHEN s.total < s.lump_sum * t.funded_count THEN error('allocation refused: the total ' || pounds_text(pe.total_p) || ' is less than the lump sums (' || pounds_text(pe.lump_p) || ' x ' || t.funded_count || ' funded partnerships = ' || pounds_text(pe.lump_p * t.funded_count) || ')')
            WHEN t.y_total = 0 THEN error('allocation refused: the funded partnerships have no Year 10 learners on the ' || s.census_date || ' census')
            WHEN s.day_rate <= 0 THEN error('allocation refused: the day rate must be above zero')
            WHEN s.weeks_per_year < 1 OR s.weeks_per_year > 52 THEN error('allocation refused: weeks per year must be between 1 and 52')
            ELSE true
        END AS ok,
        -- Whole pence first, then whole units: integer division, so no DOUBLE can creep in.
        (pe.total_p - pe.top_slice_p - pe.lump_p * t.funded_count) // pe.unit_p AS pot_units
    FROM settings AS s, totals AS t, missing AS mi, pence AS pe, unknown_treated AS ut
),
-- Each funded partnership's bounds on its whole amount (lump sum included), in units, from its
-- previous amount: floor (100 - loss)% rounded up, cap (100 + gain)% rounded down; a previous
-- amount of £0 has floor and cap £0. The lump sum is itself a floor for every funded partnership,
-- so the lower bound is the larger of the two. Percentages carry 4 places, so x% of p pence is
-- p * (x * 10000) / 1,000,000, exactly. floor_u and cap_u are the same bounds less the lump sum:
-- the part of the amount shared by Year 10, which is what the rounds below compare.
bounds AS (
    SELECT partnership_code, partnership_name, y_scaled, previous_p, floor_whole_u, cap_whole_u, lump_u,
           CASE WHEN floor_whole_u IS NOT NULL THEN greatest(floor_whole_u, lump_u) - lump_u END AS floor_u,
           cap_whole_u - lump_u AS cap_u
    FROM (
        SELECT b.partnership_code, b.partnership_name, b.y_scaled, pe.lump_p // pe.unit_p AS lump_u,
               CAST(pa.amount * 100 AS HUGEINT) AS previous_p,
               CASE WHEN s.protect_loss IS NOT NULL AND pa.amount IS NOT NULL THEN
                   (CAST(pa.amount * 100 AS HUGEINT) * (1000000 - CAST(s.protect_loss * 10000 AS HUGEINT))
                    + pe.unit_p * 1000000 - 1) // (pe.unit_p * 1000000) END AS floor_whole_u,
               CASE WHEN s.protect_gain IS NOT NULL AND pa.amount IS NOT NULL THEN
                   CAST(pa.amount * 100 AS HUGEINT) * (1000000 + CAST(s.protect_gain * 10000 AS HUGEINT))
                   // (pe.unit_p * 1000000) END AS cap_whole_u
        FROM base AS b
        CROSS JOIN settings AS s
        CROSS JOIN pence AS pe
        LEFT JOIN previous_allocations AS pa USING (partnership_code)
        WHERE b.funded
    )
),
-- A partnership whose cap is below its lower bound (the lump sum, or a floor rounded up past a
-- cap rounded down) cannot be paid within its bounds whatever the pot: the first by code is
-- named in the refusal, with how many more there are.
impossible AS (
    SELECT *, coalesce(partnership_name || ' (' || partnership_code || ')', partnership_code) AS first_name,
           count(*) OVER () AS partnerships
    FROM bounds
    WHERE cap_u < coalesce(floor_u, 0)
    ORDER BY partnership_code
    LIMIT 1
),
-- Capping and scaling: each round shares what the fixed partnerships leave among the free ones
-- by Year 10 (exactly, as fractions) and fixes the ones that break a bound, at that bound. When
-- floors and caps are both broken in a round, only the side more in breach is fixed (the floors
-- when the money short of them is at least the money over the caps, else the caps): fixing both
-- at once can strand money that a partnership raised to its floor could have taken, and this way
-- every fix is one the final split keeps, so the rounds end on the one split where each free
-- partnership's share is within its bounds and the pot is spent. A partnership once fixed stays
-- fixed; at most one round per partnership.
-- held says which bound a fixed partnership is held at ('floor' or 'cap'): a floor and a cap can
-- be the same amount (a previous amount of £0 has both at £0), so the label cannot be read back
-- from the amount.
capping(step, partnership_code, y_scaled, floor_u, cap_u, fixed_u, held, changed) AS (
    SELECT 0, partnership_code, y_scaled, floor_u, cap_u, NULL::HUGEINT, NULL::VARCHAR, true
    FROM bounds
    WHERE (SELECT protect_loss IS NOT NULL OR protect_gain IS NOT NULL FROM settings)  -- no rounds without protection
    UNION ALL
    SELECT step + 1, partnership_code, y_scaled, floor_u, cap_u,
           coalesce(fixed_u, CASE WHEN low AND short_u >= over_u THEN floor_u WHEN high AND over_u >= short_u THEN cap_u END),
           coalesce(held, CASE WHEN low AND short_u >= over_u THEN 'floor' WHEN high AND over_u >= short_u THEN 'cap' END),
           (low AND short_u >= over_u) OR (high AND over_u >= short_u)
    FROM (
        -- short_u and over_u are in units times y_free (the common denominator of the shares).
        SELECT *,
               sum(CASE WHEN low THEN floor_u * y_free - left_u * y_scaled ELSE 0 END) OVER () AS short_u,
               sum(CASE WHEN high THEN left_u * y_scaled - cap_u * y_free ELSE 0 END) OVER () AS over_u
        FROM (
            SELECT *,
                   fixed_u IS NULL AND floor_u IS NOT NULL AND left_u * y_scaled < floor_u * y_free AS low,
                   fixed_u IS NULL AND cap_u IS NOT NULL AND left_u * y_scaled > cap_u * y_free AS high
            FROM (
                SELECT c.*, g.pot_units - coalesce(sum(c.fixed_u) OVER (), 0) AS left_u,
                       sum(c.y_scaled) FILTER (WHERE c.fixed_u IS NULL) OVER () AS y_free,
                       bool_or(c.changed) OVER () AS again
                FROM capping AS c, guard AS g
                WHERE g.ok
            )
        )
    )
    WHERE again AND y_free > 0
),
settled AS (
    SELECT partnership_code, fixed_u, held, floor_u, cap_u
    FROM capping
    QUALIFY step = max(step) OVER ()
),
protection AS (
    SELECT
        (SELECT coalesce(sum(floor_u), 0) FROM bounds) AS floors_u,
        g.pot_units - (SELECT coalesce(sum(fixed_u), 0) FROM settled) AS free_units,
        (SELECT coalesce(sum(b.y_scaled), 0) FROM bounds AS b
         WHERE b.partnership_code NOT IN (SELECT partnership_code FROM settled WHERE fixed_u IS NOT NULL)) AS y_free
    FROM guard AS g
),
protection_guard AS (
    SELECT
        CASE
            WHEN i.partnerships > 0 THEN error('allocation refused: ' || i.first_name
                || CASE WHEN i.cap_whole_u >= i.lump_u
                        THEN '''s floor of ' || pounds_text(i.floor_whole_u * pe.unit_p) || ' (its previous '
                             || pounds_text(i.previous_p) || ' less the loss limit, rounded up to the unit) is above its cap of '
                             || pounds_text(i.cap_whole_u * pe.unit_p) || ' (plus the gain limit, rounded down)'
                        WHEN i.previous_p = 0
                        THEN '''s cap is £0.00 (its previous amount is £0.00), below the lump sum of '
                             || pounds_text(pe.lump_p) || ' that every funded partnership gets'
                        ELSE '''s cap of ' || pounds_text(i.cap_whole_u * pe.unit_p) || ' (its previous '
                             || pounds_text(i.previous_p) || ' plus the gain limit, rounded down) is below the lump sum of '
                             || pounds_text(pe.lump_p) || ' that every funded partnership gets' END
                || CASE WHEN i.partnerships > 1 THEN ' (and ' || (i.partnerships - 1) || ' more partnerships like it)' ELSE '' END
                || ', so no split keeps it within its bounds; '
                || CASE WHEN i.cap_whole_u >= i.lump_u THEN 'widen the loss or gain limit, or use the £0.01 rounding unit'
                        WHEN i.previous_p = 0 THEN 'lower the lump sum to £0, take the gain limit off, or correct its previous amount'
                        ELSE 'raise the gain limit or lower the lump sum' END)
            WHEN p.floors_u > g.pot_units THEN error('allocation refused: the protection floors alone ('
                || pounds_text(p.floors_u * pe.unit_p + pe.lump_p * t.funded_count) || ') are more than the '
                || pounds_text(g.pot_units * pe.unit_p + pe.lump_p * t.funded_count) || ' there is to share after the top-slice'
                || CASE WHEN pe.lump_p > 0 THEN ' (every funded partnership''s floor is at least the lump sum of '
                        || pounds_text(pe.lump_p) || ')' ELSE '' END
                || '; lower the loss limit' || CASE WHEN pe.lump_p > 0 THEN ' or the lump sum,' ELSE '' END || ' or raise the pot')
            -- (A free partnership with no Year 10 learners takes no share either.)
            WHEN p.y_free = 0 AND p.free_units <> 0 THEN error('allocation refused: every funded partnership with Year 10 '
                || 'learners is held at its protection bound, leaving ' || pounds_text(p.free_units * pe.unit_p)
                || ' that nobody can take; raise the gain limit or change the pot')
            ELSE true
        END AS ok,
        p.free_units, p.y_free
    FROM protection AS p CROSS JOIN guard AS g CROSS JOIN pence AS pe CROSS JOIN totals AS t
    LEFT JOIN impossible AS i ON true
),
shares AS (
    SELECT
        b.*,
        st.fixed_u,
        CASE WHEN NOT b.funded THEN 0
             WHEN st.fixed_u IS NOT NULL THEN st.fixed_u
             WHEN pg.y_free = 0 THEN 0
             ELSE pg.free_units * b.y_scaled // pg.y_free END AS floor_units,
        CASE WHEN b.funded AND st.fixed_u IS NULL AND pg.y_free > 0 THEN pg.free_units * b.y_scaled % pg.y_free ELSE 0 END AS remainder_units,
        st.held AS protection,  -- the bound it is held at: 'floor' or 'cap' (NULL: free)
        g.pot_units
    FROM base AS b
    LEFT JOIN settled AS st USING (partnership_code)
    CROSS JOIN guard AS g
    CROSS JOIN protection_guard AS pg
    WHERE g.ok AND pg.ok
),
ranked AS (
    SELECT
        *,
        row_number() OVER (ORDER BY funded AND fixed_u IS NULL DESC, remainder_units DESC, partnership_code) AS remainder_rank,
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
        -- The Year 10 share before any protection (4 places): what protection is measured against.
        CASE WHEN r.funded
            THEN CAST(s.lump_sum + CAST(r.pot_units * r.y_scaled * 10000 // t.y_total AS DECIMAL(38, 0)) * 0.0001 * s.unit AS DECIMAL(18, 4))
            ELSE CAST(0 AS DECIMAL(18, 4)) END AS exact_amount,
        CASE WHEN r.funded
            THEN CAST(s.lump_sum + (r.floor_units + CASE WHEN r.remainder_rank <= r.leftover_units THEN 1 ELSE 0 END) * s.unit AS DECIMAL(18, 2))
            ELSE CAST(0 AS DECIMAL(18, 2)) END AS allocated,
        r.protection,
        CAST(pe.top_slice_p / 100 AS DECIMAL(18, 2)) AS top_slice,
        r.y_scaled, sc.d AS y_scale, t.y_total, pe.total_p,
        s.day_rate, s.weeks_per_year, s.manager_cost, s.protect_loss, s.protect_gain,
        s.census_date,
        s.as_of
    FROM ranked AS r
    CROSS JOIN settings AS s
    CROSS JOIN pence AS pe
    CROSS JOIN scale AS sc
    CROSS JOIN totals AS t
),
-- Staffing, from whole pence: n / d rounded half up is (2n + d) // 2d. With a manager cost, FTE =
-- amount / cost; otherwise days per week = amount / (day rate x weeks). Days per week = FTE x 5.
staffing AS (
    SELECT a.*,
           CAST(a.allocated * 100 AS HUGEINT) * 100 AS amount_p,  -- pence x 100, so a cost in hundredths divides exactly
           -- one full-time manager's yearly cost, in pence x 100
           CASE WHEN a.manager_cost IS NOT NULL THEN CAST(a.manager_cost * 100 AS HUGEINT) * 100
                ELSE CAST(a.day_rate * 100 AS HUGEINT) * CAST(a.weeks_per_year * 100 AS HUGEINT) * 5 END AS fte_cost_p,
           -- What protection changed: the amount less the plain Year 10 share (to the penny).
           CAST(CASE WHEN a.protection IS NOT NULL THEN a.allocated - CAST(round(a.exact_amount, 2) AS DECIMAL(18, 2)) END
                AS DECIMAL(18, 2)) AS protection_effect
    FROM amounts AS a
)
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
    CAST(CAST((2 * a.amount_p * 500 + a.fte_cost_p) // (2 * a.fte_cost_p) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2)) AS days_per_week,
    CAST(CAST((2 * a.amount_p * 1000 + a.fte_cost_p) // (2 * a.fte_cost_p) AS DECIMAL(38, 0)) * 0.001 AS DECIMAL(18, 3)) AS fte,
    pa.amount AS previous_amount,
    a.allocated - pa.amount AS change,
    a.protection,
    a.protection_effect,
    protection_note(a.protection, a.protection_effect, pa.amount, a.protect_loss, a.protect_gain) AS protection_note,
    a.top_slice,
    -- Pounds per Year 10 learner, from the exact Year 10 (y_scaled / d): the amount, and the whole
    -- pot over the funded partnerships' Year 10 (the same on every row), rounded half up to the
    -- penny for people to read; nothing is computed from them. NULL for a partnership that is not
    -- funded or has no Year 10 learners.
    CASE WHEN a.funded AND a.y_scaled > 0 THEN CAST(CAST(
        (2 * CAST(a.allocated * 100 AS HUGEINT) * a.y_scale + a.y_scaled) // (2 * a.y_scaled)
    AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2)) END AS per_year10,
    CAST(CAST((2 * a.total_p * a.y_scale + a.y_total) // (2 * a.y_total) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2)) AS pot_per_year10,
    a.census_date,
    a.as_of
FROM staffing AS a
LEFT JOIN previous_allocations AS pa USING (partnership_code)
ORDER BY a.partnership_code;

-- allocation(...): the split with the census defaulted (see allocation_on_census above).
CREATE OR REPLACE MACRO allocation(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := NULL, p_include_pending := false, p_as_of := NULL, p_treat_as_accredited := []::VARCHAR[],
    p_accept_missing_census := false,
    p_top_slice := 0, p_top_slice_pct := NULL, p_protect_loss := NULL, p_protect_gain := NULL, p_manager_cost := NULL
) AS TABLE
SELECT *
FROM allocation_on_census(
    p_total, p_lump_sum, p_unit, p_day_rate, p_weeks_per_year,
    p_census_date := coalesce(CAST(p_census_date AS DATE), default_census_date(p_as_of, p_include_pending, p_treat_as_accredited)),
    p_include_pending := p_include_pending, p_as_of := p_as_of, p_treat_as_accredited := p_treat_as_accredited,
    p_accept_missing_census := p_accept_missing_census, p_census_defaulted := p_census_date IS NULL,
    p_top_slice := p_top_slice, p_top_slice_pct := p_top_slice_pct, p_protect_loss := p_protect_loss,
    p_protect_gain := p_protect_gain, p_manager_cost := p_manager_cost
);
