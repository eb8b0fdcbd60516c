-- audit_entries: every audit entry with all it is sealed over, oldest first (grain: seq), for
-- pipelines/store/audit_chain.py to recompute each keyed hash.
SELECT seq, recorded_at, actor, action, subject, detail, evidence, prev_hash, key_id, hash_scheme, entry_hash
FROM audit_log
ORDER BY seq
