-- Each partnership's accreditation on the as-of day (grain: partnership_code).
SELECT * FROM accreditation_on(effective_as_of($as_of)) ORDER BY partnership_code
