-- partnerships: one row per local 14-19 partnership (grain: partnership_code).
CREATE TABLE IF NOT EXISTS partnerships (
    partnership_code VARCHAR PRIMARY KEY CHECK (regexp_full_match(partnership_code, '[A-Za-z0-9][A-Za-z0-9_-]{0,31}')),
    name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    source VARCHAR
);
