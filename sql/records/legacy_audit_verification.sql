-- The unkeyed rule entries were written under before migration 003 (grain: seq), applied to the
-- table that migration kept: each entry's sha256 over its fields joined by '|' and its
-- predecessor's hash. Checked once, when the log is sealed with the key.
WITH chained AS (
    SELECT
        *,
        lag(entry_hash, 1, '') OVER (ORDER BY seq) AS expected_prev,
        lag(seq, 1, 0) OVER (ORDER BY seq) AS previous_seq
    FROM audit_log_before_003
)
SELECT
    seq,
    prev_hash = expected_prev
        AND seq = previous_seq + 1
        AND entry_hash = sha256(concat_ws('|', prev_hash, CAST(seq AS VARCHAR), CAST(recorded_at AS VARCHAR), actor, action, subject, detail))
        AS intact
FROM chained
ORDER BY seq
