-- census_fsm: pupils known to be eligible for free school meals, one row per school and census date
-- (grain: urn, census_date), loaded from the same census files as census_rolls and with them. A school
-- without a row has no figure (the DfE publishes none for independent schools), which is not zero.
CREATE TABLE IF NOT EXISTS census_fsm (
    urn INTEGER NOT NULL,
    census_date DATE NOT NULL,
    fsm_eligible INTEGER NOT NULL CHECK (fsm_eligible >= 0),
    source VARCHAR,
    PRIMARY KEY (urn, census_date)
);
