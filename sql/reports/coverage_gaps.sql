-- Coverage gaps for one set of settings (grain: code, partnership_code, institution_id); every
-- value is bound. The caller names the census (the default worked out first, see
-- pipelines.rules.allocate.coverage_gaps).
SELECT *
FROM coverage_gaps_on_census(
    p_as_of := $as_of,
    p_census_date := $census_date,
    p_include_pending := $include_pending,
    p_travel_km := $travel_km,
    p_treat_as_accredited := $treat_as_accredited
)
