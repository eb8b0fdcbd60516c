-- The audit log, newest first (grain: seq).
SELECT seq, recorded_at, actor, action, subject, detail, entry_hash
FROM audit_log
ORDER BY seq DESC
