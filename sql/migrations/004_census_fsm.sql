-- 004: the census carries pupils eligible for free school meals, in a table of their own beside the
-- year groups (census_fsm). An earlier store gains the table empty: its census files had no FSM
-- figures. The schema version this raises matters as much as the table: an earlier release refuses a
-- store from this one rather than load a census into it that would leave its FSM figures behind.
--
-- The CREATE TABLE below is a frozen snapshot of census_fsm as release 004 made it, not a second home
-- for the table's definition (sql/schema/025_census_fsm.sql is that home, and has already made the
-- table by the time this runs, hence IF NOT EXISTS). Keep it word for word.
CREATE TABLE IF NOT EXISTS census_fsm (
    urn INTEGER NOT NULL,
    census_date DATE NOT NULL,
    fsm_eligible INTEGER NOT NULL CHECK (fsm_eligible >= 0),
    source VARCHAR,
    PRIMARY KEY (urn, census_date)
);
