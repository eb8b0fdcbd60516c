-- The allocation for one set of settings (grain: partnership_code); every value is bound.
SELECT *
FROM allocation(
    $total, $lump_sum, $unit, $day_rate, $weeks_per_year,
    p_census_date := $census_date,
    p_include_pending := $include_pending,
    p_as_of := $as_of,
    p_treat_as_accredited := $treat_as_accredited,
    p_accept_missing_census := $accept_missing_census
)
