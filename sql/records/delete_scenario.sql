-- Remove one saved scenario (grain: scenario_id); returns its name for the audit log.
-- Scenarios are proposals: removing one is allowed and audited. Decisions are never removed.
DELETE FROM scenarios WHERE scenario_id = $scenario_id RETURNING name;
