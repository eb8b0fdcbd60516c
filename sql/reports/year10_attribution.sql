-- Which memberships make up each partnership's Year 10 (grain: partnership_code, institution_id).
SELECT *
FROM year10_attribution(effective_as_of($as_of), coalesce($census_date, default_census_date($as_of)))
ORDER BY partnership_code, counted DESC, name
