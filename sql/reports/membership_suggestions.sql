-- Membership suggestions for one set of settings (see the macro); every value is bound and the
-- caller names the census (the default worked out first, as for the coverage gaps).
SELECT *
FROM membership_suggestions(
    p_as_of := $as_of,
    p_census_date := $census_date,
    p_include_pending := $include_pending,
    p_travel_km := $travel_km,
    p_treat_as_accredited := $treat_as_accredited,
    p_alternatives := $alternatives
)
