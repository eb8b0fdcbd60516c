-- stg_year10: Year 10 headcounts (grain: urn, census_date), the funding proxy.
CREATE OR REPLACE VIEW stg_year10 AS
SELECT urn, census_date, headcount, source
FROM census_rolls
WHERE nc_year = 10;
