-- Census dates with Year 10 figures, newest first (grain: census_date).
SELECT census_date, schools_with_year10, year10_headcount FROM census_dates ORDER BY census_date DESC
