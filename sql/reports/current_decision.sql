-- The decision in force (grain: one row; none before the first approval): the newest approval,
-- as on the Decisions page, with what the Allocation page says of it as a baseline.
SELECT decision_id, title, total, coalesce(top_slice, 0) AS top_slice, census_date, approved_at
FROM decisions
ORDER BY decision_id DESC
LIMIT 1
