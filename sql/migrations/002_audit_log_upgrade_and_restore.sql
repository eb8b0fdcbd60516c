-- 002: the audit log also records schema upgrades and restores from a backup. DuckDB cannot
-- change a CHECK constraint in place, so the old table is renamed (and kept, unchanged: nothing
-- in the tool drops or edits audit entries) and a new one with the wider list gets every entry
-- copied across by name, unchanged (seq, times and hashes alike, so the chain still verifies).
-- The whole upgrade is one transaction on a copy of the store: a failure leaves the live store
-- as it was.
--
-- The CREATE TABLE below is a deliberate frozen snapshot of audit_log as release 002 made it, not a
-- second home for the table's definition (sql/schema/120_audit_log.sql is that home, for new
-- stores): an older store must come out of this file in 002's shape whatever later releases do to
-- sql/schema/120 (003 takes the log on from this shape), and a backup's check
-- (pipelines/store/backup.py) reads the columns spelled out here as those an upgrade from
-- before 002 may change. Keep it word for word; never edit it to follow sql/schema/120.
ALTER TABLE audit_log RENAME TO audit_log_before_002;
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    recorded_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN (
        'load', 'build', 'accreditation_change', 'scenario_save', 'scenario_delete', 'approve', 'supersede',
        'upgrade', 'restore')),
    subject VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    prev_hash VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL UNIQUE
);
INSERT INTO audit_log (seq, recorded_at, actor, action, subject, detail, prev_hash, entry_hash)
SELECT seq, recorded_at, actor, action, subject, detail, prev_hash, entry_hash FROM audit_log_before_002 ORDER BY seq;
