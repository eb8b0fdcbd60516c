-- audit_unrecorded: records that the audit log should have an entry for and does not (grain:
-- kind, id): a load in the load log, a saved scenario, an approved decision, the supersession of
-- every decision but the newest, and a scenario saved in the log that is gone with no entry for
-- its removal. Entries removed from the end of the log show here.
WITH entries AS (
    SELECT action, subject, detail FROM audit_log
),
scenario_entries AS (
    SELECT subject,
           count(*) FILTER (WHERE action = 'scenario_save') - count(*) FILTER (WHERE action = 'scenario_delete') AS kept
    FROM entries
    WHERE action IN ('scenario_save', 'scenario_delete')
    GROUP BY subject
)
SELECT 'load' AS kind, l.load_id AS id, l.file_name AS name
FROM load_log AS l
WHERE NOT EXISTS (
    SELECT 1 FROM entries AS e
    WHERE e.action IN ('load', 'accreditation_change') AND e.subject = l.kind
      AND starts_with(e.detail, l.file_name || ': ') AND contains(e.detail, 'sha256 ' || l.sha256)
)
UNION ALL
SELECT 'scenario', s.scenario_id, s.name
FROM scenarios AS s
WHERE NOT EXISTS (SELECT 1 FROM entries AS e WHERE e.action = 'scenario_save' AND e.subject = 'scenario ' || s.scenario_id)
UNION ALL
SELECT 'removal of scenario', TRY_CAST(regexp_extract(se.subject, '(\d+)$', 1) AS BIGINT),
       CASE WHEN TRY_CAST(regexp_extract(se.subject, '(\d+)$', 1) AS BIGINT) IS NULL THEN se.subject END
FROM scenario_entries AS se
WHERE se.kept > (SELECT count(*) FROM scenarios AS s WHERE 'scenario ' || s.scenario_id = se.subject)
UNION ALL
SELECT 'decision', d.decision_id, d.title
FROM decisions AS d
WHERE NOT EXISTS (SELECT 1 FROM entries AS e WHERE e.action = 'approve' AND e.subject = 'decision ' || d.decision_id)
UNION ALL
SELECT 'supersession of decision', d.decision_id, NULL
FROM decisions AS d
WHERE d.decision_id < (SELECT max(decision_id) FROM decisions)
  AND NOT EXISTS (SELECT 1 FROM entries AS e WHERE e.action = 'supersede' AND e.subject = 'decision ' || d.decision_id)
ORDER BY kind, id
