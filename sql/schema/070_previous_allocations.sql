-- previous_allocations: one row per partnership on the basis used until 2008/9 (grain: partnership_code).
-- Money is DECIMAL, never a binary float.
CREATE TABLE IF NOT EXISTS previous_allocations (
    partnership_code VARCHAR PRIMARY KEY,
    amount DECIMAL(18, 2) NOT NULL CHECK (amount >= 0),
    source VARCHAR
);
