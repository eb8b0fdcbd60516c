-- The allocation for one set of settings (grain: partnership_code); every value is bound. The
-- caller names the census (the default worked out first, see pipelines.rules.allocate.allocate).
SELECT *
FROM allocation_on_census(
    $total, $lump_sum, $unit, $day_rate, $weeks_per_year,
    p_census_date := $census_date,
    p_include_pending := $include_pending,
    p_as_of := $as_of,
    p_treat_as_accredited := $treat_as_accredited,
    p_accept_missing_census := $accept_missing_census,
    p_census_defaulted := $census_defaulted,
    p_top_slice := $top_slice,
    p_top_slice_pct := $top_slice_pct,
    p_protect_loss := $protect_loss,
    p_protect_gain := $protect_gain,
    p_manager_cost := $manager_cost
)
