-- Coverage gaps for one set of settings (grain: code, partnership_code, institution_id); every value is bound.
SELECT *
FROM coverage_gaps(
    p_as_of := $as_of,
    p_census_date := $census_date,
    p_include_pending := $include_pending,
    p_travel_km := $travel_km,
    p_treat_as_accredited := $treat_as_accredited
)
