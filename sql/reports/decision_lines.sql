-- The frozen amounts of one decision (grain: partnership_code).
SELECT * EXCLUDE (decision_id)
FROM decision_lines
WHERE decision_id = $decision_id
ORDER BY partnership_code
