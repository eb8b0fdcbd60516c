-- Scalar helpers used by the table macros (no grain: functions).
-- is_open_on: open on day d by its dates, falling back on the register status.
CREATE OR REPLACE MACRO is_open_on(p_status, p_opened_on, p_closed_on, p_day) AS
    coalesce(p_closed_on > p_day, p_status <> 'closed')
    AND coalesce(p_opened_on <= p_day, p_status <> 'proposed_to_open');
-- km_between: great-circle distance in kilometres (haversine, mean Earth radius).
CREATE OR REPLACE MACRO km_between(p_lat1, p_lon1, p_lat2, p_lon2) AS
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(p_lat2 - p_lat1) / 2), 2)
        + cos(radians(p_lat1)) * cos(radians(p_lat2)) * pow(sin(radians(p_lon2 - p_lon1) / 2), 2)
    ));
-- latest_census_date: the newest census with Year 10 figures, complete or not (the fallback of
-- default_census_date when no census is complete).
CREATE OR REPLACE MACRO latest_census_date() AS (SELECT max(census_date) FROM census_dates);
-- effective_as_of(p): the one rule for "as of": the given day, else the data's reference date
-- (the dataset table), else today. A store of 2018/19 data is judged as of 2018/19, not today.
CREATE OR REPLACE MACRO effective_as_of(p) AS
    coalesce(CAST(p AS DATE), (SELECT max(reference_date) FROM dataset), current_date);
-- pounds_text: whole pence as "£1,234.56", a loss as "-£1,234.56" (the rule of pipelines/base/money.py
-- pounds), for messages (exact: a double holds every penny below £90 trillion).
CREATE OR REPLACE MACRO pounds_text(p_pence) AS
    CASE WHEN p_pence < 0 THEN '-' ELSE '' END || '£' || format('{:,.2f}', abs(CAST(p_pence AS DOUBLE)) / 100);
-- day_text: a day in words for people, GOV.UK style ("7 December 2026"), the rule of
-- pipelines/base/clock.py day_text (a test keeps the two the same) for messages made in SQL.
CREATE OR REPLACE MACRO day_text(p_day) AS strftime(CAST(p_day AS DATE), '%-d %B %Y');
-- grid_lat, grid_lon: the cell of a fixed grid a position falls in (0.1 degrees of latitude by
-- 0.2 of longitude, about 11 by 13 km in England), for joining places near each other by cell
-- equality (a hash join) rather than by two ranges (travel_distances, membership_suggestions).
CREATE OR REPLACE MACRO grid_lat(p_lat) AS CAST(floor(p_lat / 0.1) AS BIGINT);
CREATE OR REPLACE MACRO grid_lon(p_lon) AS CAST(floor(p_lon / 0.2) AS BIGINT);
-- cap_dlat, cap_dlon: half the height and width in degrees of the box round every point within
-- p_km of a place at latitude p_lat (a spherical cap: exact bounds, widened by a millimetre against
-- rounding; 360 when the cap reaches a pole or p_km is NULL, meaning "everywhere").
CREATE OR REPLACE MACRO cap_dlat(p_km) AS
    coalesce(degrees((p_km * (1 + 1e-9) + 1e-6) / 6371.0088), 360);
CREATE OR REPLACE MACRO cap_dlon(p_lat, p_km) AS
    CASE WHEN p_km IS NULL OR (p_km * (1 + 1e-9) + 1e-6) / 6371.0088 >= pi() / 2 - radians(abs(p_lat)) THEN 360
         ELSE degrees(asin(sin((p_km * (1 + 1e-9) + 1e-6) / 6371.0088) / cos(radians(p_lat)))) END;
