-- Upsert census headcounts (staged as `incoming`, grain: urn, census_date, nc_year).
INSERT OR REPLACE INTO census_rolls (urn, census_date, nc_year, headcount, source)
SELECT urn, census_date, nc_year, headcount, source
FROM incoming;
