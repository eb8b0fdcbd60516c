-- Upsert health-check results (staged as `incoming`, grain: partnership_code, decided_on, item).
INSERT OR REPLACE INTO health_check_results (partnership_code, decided_on, item, met, note)
SELECT partnership_code, decided_on, item, met, note
FROM incoming;
