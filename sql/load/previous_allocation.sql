-- Upsert the 2008/9-basis allocation (staged as `incoming`, grain: partnership_code).
INSERT OR REPLACE INTO previous_allocations (partnership_code, amount, source)
SELECT partnership_code, amount, source
FROM incoming;
