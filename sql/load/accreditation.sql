-- Upsert accreditation decisions (staged as `incoming`, grain: partnership_code, decided_on).
INSERT OR REPLACE INTO accreditation_decisions (partnership_code, status, decided_on, review_due, notes)
SELECT partnership_code, status, decided_on, review_due, notes
FROM incoming;
