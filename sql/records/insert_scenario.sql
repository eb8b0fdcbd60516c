-- Save one scenario (grain: scenario_id); returns its new id.
INSERT INTO scenarios (scenario_id, name, query_json, saved_by, saved_at)
SELECT coalesce(max(scenario_id), 0) + 1, $name, $query_json, $saved_by, $saved_at FROM scenarios
RETURNING scenario_id;
