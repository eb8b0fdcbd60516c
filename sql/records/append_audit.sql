-- Append one audit entry (grain: seq). The caller (pipelines/store/audit_chain.py) has read the head
-- (audit_head.sql) in the same transaction, under the writer lock, and sealed the entry: its hash
-- is an HMAC under a key kept outside the store, which DuckDB cannot compute.
INSERT INTO audit_log (seq, recorded_at, actor, action, subject, detail, evidence, prev_hash, key_id, hash_scheme, entry_hash)
VALUES (
    $seq, CAST($at AS TIMESTAMP), $actor, $action, $subject, $detail, $evidence, $prev_hash, $key_id, $hash_scheme,
    $entry_hash
);
