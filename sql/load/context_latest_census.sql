-- The latest census with Year 10 figures and how many schools it covers (grain: at most one row).
SELECT census_date, schools_with_year10
FROM census_dates
ORDER BY census_date DESC
LIMIT 1
