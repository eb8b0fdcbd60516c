-- Accreditation decisions already loaded (grain: partnership_code, decided_on).
SELECT partnership_code, decided_on FROM accreditation_decisions
