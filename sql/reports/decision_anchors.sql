-- decision_anchors: where the audit log stood when each decision was approved (grain:
-- decision_id); empty for decisions approved before decisions recorded it (migration 003).
SELECT decision_id, audit_anchor_seq, audit_anchor_hash
FROM decisions
WHERE audit_anchor_seq IS NOT NULL
ORDER BY decision_id
