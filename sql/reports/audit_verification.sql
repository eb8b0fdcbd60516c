-- audit_verification: each audit entry's hash recomputed from its fields and its predecessor
-- (grain: seq). intact is false for an entry edited, inserted or removed behind the tool's back.
WITH chained AS (
    SELECT
        *,
        lag(entry_hash, 1, '') OVER (ORDER BY seq) AS expected_prev,
        lag(seq, 1, 0) OVER (ORDER BY seq) AS previous_seq
    FROM audit_log
)
SELECT
    seq,
    prev_hash = expected_prev
        AND seq = previous_seq + 1
        AND entry_hash = sha256(concat_ws('|', prev_hash, CAST(seq AS VARCHAR), CAST(recorded_at AS VARCHAR), actor, action, subject, detail))
        AS intact
FROM chained
ORDER BY seq
