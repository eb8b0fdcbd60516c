-- Every decision, newest first, with whether it is the current one (grain: decision_id).
-- The latest approval is current; each earlier one is superseded by the one after it.
SELECT
    decision_id,
    title,
    scenario_name,
    total,
    census_date,
    as_of,
    approved_by,
    approved_at,
    data_version,
    csv_sha256,
    lead(decision_id) OVER (ORDER BY decision_id) AS superseded_by,
    CASE WHEN lead(decision_id) OVER (ORDER BY decision_id) IS NULL THEN 'current'
         ELSE 'superseded by decision ' || lead(decision_id) OVER (ORDER BY decision_id) END AS status
FROM decisions
ORDER BY decision_id DESC
