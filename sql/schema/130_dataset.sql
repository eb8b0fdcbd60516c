-- dataset: what the loaded data describes as a whole (grain: at most one row, id = 1).
-- reference_date is the day the data is "as of": every as-of date defaults to it, then to today.
CREATE TABLE IF NOT EXISTS dataset (
    id INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name VARCHAR NOT NULL,
    reference_date DATE NOT NULL,
    description VARCHAR,
    source VARCHAR
);
