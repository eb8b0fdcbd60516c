-- audit_log: every load, accreditation change, scenario save or delete, approval and
-- supersession, schema upgrade and restore from a backup, in order (grain: seq). Appended to,
-- never updated or deleted: nothing in the code does either, and each row carries the sha256 of
-- the row before it, so any edit made behind the tool's back breaks the chain that
-- audit_verification checks.
CREATE TABLE IF NOT EXISTS audit_log (
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
