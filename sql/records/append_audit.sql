-- Append one entry to the audit log (grain: seq), chained to the entry before it.
-- The hash covers every field, so verification can recompute it row by row.
INSERT INTO audit_log (seq, recorded_at, actor, action, subject, detail, prev_hash, entry_hash)
WITH last AS (
    SELECT coalesce(max(seq), 0) AS seq, coalesce(arg_max(entry_hash, seq), '') AS hash FROM audit_log
)
SELECT
    last.seq + 1,
    CAST($at AS TIMESTAMP),
    $actor,
    $action,
    $subject,
    $detail,
    last.hash,
    sha256(concat_ws('|', last.hash, CAST(last.seq + 1 AS VARCHAR), CAST(CAST($at AS TIMESTAMP) AS VARCHAR),
                     $actor, $action, $subject, $detail))
FROM last;
