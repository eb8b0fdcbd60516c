-- One decision with its frozen settings, files and export bytes (grain: decision_id).
SELECT d.*,
       CASE WHEN d.decision_id = (SELECT max(decision_id) FROM decisions) THEN 'current'
            ELSE 'superseded by decision ' || (SELECT min(decision_id) FROM decisions WHERE decision_id > d.decision_id) END AS status
FROM decisions AS d
WHERE d.decision_id = $decision_id
