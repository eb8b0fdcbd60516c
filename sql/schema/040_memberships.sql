-- memberships: one row per member of a partnership from a joining date (grain: partnership_code, institution_id, joined_on).
-- No foreign key to institutions on purpose: a later register may drop an institution,
-- and that must show as a member_unknown gap rather than block the register load.
CREATE TABLE IF NOT EXISTS memberships (
    partnership_code VARCHAR NOT NULL,
    institution_id BIGINT NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('full', 'associate')),
    joined_on DATE NOT NULL,
    left_on DATE,
    source VARCHAR,
    PRIMARY KEY (partnership_code, institution_id, joined_on),
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
