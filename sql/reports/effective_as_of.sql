-- The day an as-of setting means (the one rule, effective_as_of: the day given, else the data's
-- reference date, else today).
SELECT effective_as_of($as_of) AS as_of
