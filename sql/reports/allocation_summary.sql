-- Totals of one allocation (grain: one row), read from the rows the caller already has (the
-- relation `allocation_rows`), so the proof that the amounts add up to the pot, and the Year 10
-- figures, are computed once, in SQL, for the command line and the dashboard alike.
SELECT
    -- The partnerships' amounts, and with the county's top-slice the whole pot.
    CAST(coalesce(sum(amount), 0) AS DECIMAL(18, 2)) AS amount_total,
    CAST(coalesce(any_value(top_slice), 0) AS DECIMAL(18, 2)) AS top_slice,
    CAST(coalesce(sum(amount), 0) + coalesce(any_value(top_slice), 0) AS DECIMAL(18, 2)) AS pot_total,
    count(*) FILTER (WHERE funded) AS funded,
    count(*) FILTER (WHERE NOT funded) AS unfunded,
    CAST(coalesce(sum(year10) FILTER (WHERE funded), 0) AS DECIMAL(18, 4)) AS year10_funded,
    CAST(coalesce(sum(year10), 0) AS DECIMAL(18, 4)) AS year10_all_partnerships,
    max(amount) FILTER (WHERE funded) AS largest,
    min(amount) FILTER (WHERE funded) AS smallest,
    -- Who gets them (the first by code when several tie), for the chart's description.
    first(partnership_code || ' — ' || partnership_name ORDER BY amount DESC, partnership_code) FILTER (WHERE funded)
        AS largest_partnership,
    first(partnership_code || ' — ' || partnership_name ORDER BY amount, partnership_code) FILTER (WHERE funded)
        AS smallest_partnership,
    CAST(sum(previous_amount) AS DECIMAL(18, 2)) AS previous_total,
    CAST(sum(change) AS DECIMAL(18, 2)) AS change_total,
    -- The staffing columns' totals (of the figures shown, each already rounded).
    CAST(sum(days_per_week) AS DECIMAL(18, 2)) AS days_total,
    CAST(sum(fte) AS DECIMAL(18, 3)) AS fte_total,
    any_value(pot_per_year10) AS pot_per_year10,
    any_value(census_date) AS census_date,
    any_value(as_of) AS as_of
FROM allocation_rows
