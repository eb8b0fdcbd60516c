-- 001: decisions carry a note (the meeting and minute) and the county top-slice of the pot.
-- Both columns stay empty for decisions made before them: no note was given, nothing was taken.
-- Applied to stores written before schema versions were recorded; some of those already have
-- one or both columns, hence IF NOT EXISTS.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS note VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS top_slice DECIMAL(18, 2);
