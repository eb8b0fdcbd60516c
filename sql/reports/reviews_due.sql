-- Accreditation reviews overdue or due soon on the scenario's day (grain: partnership_code).
SELECT partnership_code, partnership_name, detail
FROM reviews_due(p_as_of := $as_of)
ORDER BY partnership_code;
