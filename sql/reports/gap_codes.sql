-- The gap codes with their meaning and what to do (grain: code).
SELECT code, severity, meaning, action FROM gap_codes ORDER BY code
