-- Saved scenarios, newest first (grain: scenario_id).
SELECT scenario_id, name, query_json, saved_by, saved_at
FROM scenarios
ORDER BY scenario_id DESC
