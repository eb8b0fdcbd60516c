-- One audit entry's hash (grain: seq), to check an anchor written into an export.
SELECT entry_hash FROM audit_log WHERE seq = $seq
