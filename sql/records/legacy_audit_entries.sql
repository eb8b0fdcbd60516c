-- The entries written before migration 003 (grain: seq), to be sealed again with the key.
SELECT seq, recorded_at, actor, action, subject, detail, entry_hash
FROM audit_log_before_003
ORDER BY seq
