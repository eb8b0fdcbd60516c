-- The newest audit entry (grain: one row): its number, hash and key fingerprint, which the next
-- entry chains to (0 and '' before the first).
SELECT coalesce(max(seq), 0), coalesce(arg_max(entry_hash, seq), ''), arg_max(key_id, seq) FROM audit_log
