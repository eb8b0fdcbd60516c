-- health_check_results: one row per health-check item assessed in an accreditation decision
-- (grain: partnership_code, decided_on, item). The items are data, so the council can change the check.
CREATE TABLE IF NOT EXISTS health_check_results (
    partnership_code VARCHAR NOT NULL,
    decided_on DATE NOT NULL,
    item VARCHAR NOT NULL CHECK (length(trim(item)) > 0),
    met BOOLEAN NOT NULL,
    note VARCHAR,
    PRIMARY KEY (partnership_code, decided_on, item)
);
