-- decision_frozen_csv: each decision's CSV as frozen at approval (grain: decision_id), to
-- compare with its lines.
SELECT decision_id, csv_bytes
FROM decisions
ORDER BY decision_id
