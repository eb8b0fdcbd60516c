-- What the loaded data describes (grain: one row, always): its name, reference date (the default
-- as-of day; NULL when the store has no dataset row, so as-of falls back to today), description
-- and source.
SELECT d.name, d.reference_date, d.description, d.source
FROM (SELECT 1) AS one
LEFT JOIN dataset AS d ON true
