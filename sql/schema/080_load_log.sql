-- load_log: one row per file loaded into the store (grain: load_id). Appended to, never updated.
CREATE SEQUENCE IF NOT EXISTS load_log_seq START 1;
CREATE TABLE IF NOT EXISTS load_log (
    load_id BIGINT PRIMARY KEY DEFAULT nextval('load_log_seq'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL CHECK (regexp_full_match(sha256, '[0-9a-f]{64}')),
    kind VARCHAR NOT NULL,
    layout VARCHAR NOT NULL,
    rows INTEGER NOT NULL CHECK (rows >= 0),
    warnings INTEGER NOT NULL DEFAULT 0,
    loaded_at TIMESTAMP NOT NULL
);
