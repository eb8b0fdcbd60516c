-- census_dates: one row per census date with Year 10 figures (grain: census_date). The default
-- census for allocations is not simply the latest: see default_census_date.
CREATE OR REPLACE VIEW census_dates AS
SELECT
    census_date,
    count(*) AS schools_with_year10,
    sum(headcount) AS year10_headcount,
    census_date = max(census_date) OVER () AS is_latest
FROM stg_year10
GROUP BY census_date;
