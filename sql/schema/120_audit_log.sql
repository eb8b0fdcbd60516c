-- audit_log: every load, accreditation change, scenario save or delete, approval and
-- supersession, schema upgrade and restore from a backup, in order (grain: seq). Appended to,
-- never updated or deleted: nothing in the code does either. Each row is sealed
-- (pipelines/store/audit_chain.py): entry_hash is an HMAC-SHA256, under a key kept outside the store
-- (key_id is its fingerprint), of the row's fields and the previous row's hash as one JSON array,
-- so an edit, an insertion or a re-hash made behind the tool's back without the key breaks it.
-- evidence (JSON, sealed with the row) is what the entry vouches for beyond its words: an
-- approval's digests of its decision's lines, files and record; an upgrade's re-seal.
CREATE TABLE IF NOT EXISTS audit_log (
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
