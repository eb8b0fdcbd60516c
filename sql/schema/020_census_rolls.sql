-- census_rolls: one row per school, census date and National Curriculum year (grain: urn, census_date, nc_year).
-- Reception is year 0. Headcounts are whole pupils; suppressed figures are refused at load.
CREATE TABLE IF NOT EXISTS census_rolls (
    urn INTEGER NOT NULL,
    census_date DATE NOT NULL,
    nc_year INTEGER NOT NULL CHECK (nc_year BETWEEN 0 AND 14),
    headcount INTEGER NOT NULL CHECK (headcount >= 0),
    source VARCHAR,
    PRIMARY KEY (urn, census_date, nc_year)
);
