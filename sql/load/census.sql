-- Upsert a census file's figures (staged as `incoming`), in the load's one transaction: year rows
-- (nc_year given; grain: urn, census_date, nc_year) into census_rolls, FSM rows (nc_year blank;
-- grain: urn, census_date) into census_fsm. A figure the file does not give stays as it was.
INSERT OR REPLACE INTO census_rolls (urn, census_date, nc_year, headcount, source)
SELECT urn, census_date, nc_year, headcount, source
FROM incoming
WHERE nc_year IS NOT NULL;
INSERT OR REPLACE INTO census_fsm (urn, census_date, fsm_eligible, source)
SELECT urn, census_date, fsm_eligible, source
FROM incoming
WHERE nc_year IS NULL;
