-- The default census for an allocation and for coverage gaps (scalars, no grain).
-- complete_census_date(p_as_of, p_include_pending, p_treat_as_accredited): the latest census on
-- which every open high school and special school that is a full member of a funded partnership
-- on the as-of day has a Year 10 figure; NULL when no census is. A one-school file for a newer
-- date therefore never becomes the census that money is shared on by default.
CREATE OR REPLACE MACRO complete_census_date(p_as_of, p_include_pending := false, p_treat_as_accredited := []::VARCHAR[]) AS (
    WITH needed AS (
        SELECT DISTINCT m.institution_id
        FROM memberships_on(effective_as_of(p_as_of)) AS m
        JOIN funding_status(effective_as_of(p_as_of), p_include_pending, p_treat_as_accredited) AS f USING (partnership_code)
        WHERE f.funded AND m.role = 'full' AND m.known AND m.is_open AND m.counts_year10
    ),
    covered AS (
        SELECT y.census_date, count(DISTINCT y.urn) AS schools
        FROM stg_year10 AS y
        WHERE y.urn IN (SELECT institution_id FROM needed)
        GROUP BY y.census_date
    )
    SELECT CASE
        WHEN (SELECT count(*) FROM needed) = 0 THEN latest_census_date()
        ELSE (SELECT max(census_date) FROM covered WHERE schools = (SELECT count(*) FROM needed))
    END
);
-- default_census_date(...): the complete census, else the latest one (so that an allocation on
-- it is refused with the schools that are missing, rather than silently using an old census).
CREATE OR REPLACE MACRO default_census_date(p_as_of, p_include_pending := false, p_treat_as_accredited := []::VARCHAR[]) AS
    coalesce(complete_census_date(p_as_of, p_include_pending, p_treat_as_accredited), latest_census_date());
