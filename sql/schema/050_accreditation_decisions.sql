-- accreditation_decisions: one row per decision on a partnership's accreditation (grain: partnership_code, decided_on).
-- The latest decision on or before a date is the partnership's status on that date.
CREATE TABLE IF NOT EXISTS accreditation_decisions (
    partnership_code VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('accredited', 'pending', 'not_accredited', 'lapsed')),
    decided_on DATE NOT NULL,
    review_due DATE,
    notes VARCHAR,
    PRIMARY KEY (partnership_code, decided_on),
    CHECK (review_due IS NULL OR review_due >= decided_on)
);
