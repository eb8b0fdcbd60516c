-- Which memberships make up each partnership's Year 10 (grain: partnership_code, institution_id).
SELECT *
FROM year10_attribution(coalesce($as_of, current_date), coalesce($census_date, latest_census_date()))
ORDER BY partnership_code, counted DESC, name
