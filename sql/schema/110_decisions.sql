-- decisions: an approved scenario, frozen (grain: decision_id). Holds the exact amounts
-- (decision_lines), the settings in words, the files the data came from (sha256 each), and the
-- export files themselves, so finance downloads the same bytes every time. Rows are only ever
-- inserted: a later decision supersedes an earlier one, it never edits it.
CREATE TABLE IF NOT EXISTS decisions (
    decision_id BIGINT PRIMARY KEY,
    title VARCHAR NOT NULL,
    scenario_name VARCHAR,
    query_json VARCHAR NOT NULL,
    settings_json VARCHAR NOT NULL,
    files_json VARCHAR NOT NULL,
    data_version VARCHAR NOT NULL,
    total DECIMAL(18, 2) NOT NULL,
    census_date DATE NOT NULL,
    as_of DATE NOT NULL,
    approved_by VARCHAR NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    csv_file_name VARCHAR NOT NULL,
    csv_bytes BLOB NOT NULL,
    csv_sha256 VARCHAR NOT NULL,
    xlsx_file_name VARCHAR NOT NULL,
    xlsx_bytes BLOB NOT NULL,
    xlsx_sha256 VARCHAR NOT NULL,
    -- Empty for decisions made before decisions carried a note (sql/migrations/001).
    note VARCHAR,
    -- The county top-slice of the pot (not in decision_lines: it is no partnership's); the lines
    -- and it add up to total. Empty for decisions made before there was one: nothing was taken.
    top_slice DECIMAL(18, 2),
    -- Where the audit log stood when the decision was approved (its newest entry's number and
    -- hash; the frozen files say the same in words), so entries removed from the end show.
    -- Empty for decisions approved before decisions recorded it (sql/migrations/003).
    audit_anchor_seq BIGINT,
    audit_anchor_hash VARCHAR
);

-- decision_lines: one row per partnership of a decision (grain: decision_id, partnership_code).
CREATE TABLE IF NOT EXISTS decision_lines (
    decision_id BIGINT NOT NULL REFERENCES decisions (decision_id),
    partnership_code VARCHAR NOT NULL,
    partnership_name VARCHAR NOT NULL,
    funded BOOLEAN NOT NULL,
    funding_reason VARCHAR NOT NULL,
    year10 DECIMAL(18, 4) NOT NULL,
    share_percent DECIMAL(10, 4) NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    days_per_week DECIMAL(18, 2) NOT NULL,
    fte DECIMAL(18, 3) NOT NULL,
    previous_amount DECIMAL(18, 2),
    PRIMARY KEY (decision_id, partnership_code)
);
