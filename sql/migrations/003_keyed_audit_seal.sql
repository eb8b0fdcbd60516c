-- 003: the audit log is sealed with a key (an HMAC per entry, pipelines/store/audit_chain.py), entries
-- can carry sealed evidence, and decisions record where the log stood when they were approved.
-- The old table is renamed and kept, unchanged (its unkeyed hashes too), as audit_log_before_003;
-- a new one takes its place. DuckDB cannot compute an HMAC, so this file only makes the tables:
-- the step after it in pipelines/store/audit_chain.after_migration checks the old entries by the old
-- rule and copies every one across, words and times unchanged, sealed with the key. The whole
-- upgrade is one transaction on a copy of the store: a failure leaves the live store as it was.
--
-- The CREATE TABLE below is a deliberate frozen snapshot of audit_log as release 003 made it, not a
-- second home for the table's definition (sql/schema/120_audit_log.sql is that home, for new
-- stores; the two agree today): an older store must come out of this file in 003's shape whatever
-- later releases do to sql/schema/120, as the step after it (which seals the old entries into
-- this table by named columns) and any later migration expect, and a backup's check
-- (pipelines/store/backup.py) reads the columns spelled out here as those an upgrade from
-- before 003 may change. Keep it word for word; never edit it to follow sql/schema/120.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS audit_anchor_seq BIGINT;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS audit_anchor_hash VARCHAR;
ALTER TABLE audit_log RENAME TO audit_log_before_003;
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    recorded_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN (
        'load', 'build', 'accreditation_change', 'scenario_save', 'scenario_delete', 'approve', 'supersede',
        'upgrade', 'restore')),
    subject VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    evidence VARCHAR,
    prev_hash VARCHAR NOT NULL,
    key_id VARCHAR NOT NULL,
    hash_scheme VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL UNIQUE
);
