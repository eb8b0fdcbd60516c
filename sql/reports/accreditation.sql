-- Each partnership's accreditation on the as-of day (grain: partnership_code).
SELECT * FROM accreditation_on(coalesce($as_of, current_date)) ORDER BY partnership_code
