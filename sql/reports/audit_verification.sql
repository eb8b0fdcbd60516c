-- audit_verification: the chain's links (grain: seq): numbers run 1, 2, 3 ... and each entry names
-- its predecessor's hash. This part needs no key; the keyed hashes themselves, what approvals
-- vouch for and the cross-checks against the record tables are pipelines/store/audit_chain.verify.
WITH chained AS (
    SELECT
        seq,
        prev_hash,
        lag(entry_hash, 1, '') OVER (ORDER BY seq) AS expected_prev,
        lag(seq, 1, 0) OVER (ORDER BY seq) AS previous_seq
    FROM audit_log
)
SELECT seq, prev_hash = expected_prev AND seq = previous_seq + 1 AS intact
FROM chained
ORDER BY seq
