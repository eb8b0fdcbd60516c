-- The frozen amounts of one decision, from the allocation staged as `lines` (grain: decision_id, partnership_code).
INSERT INTO decision_lines (decision_id, partnership_code, partnership_name, funded, funding_reason, year10, share_percent,
                            amount, days_per_week, fte, previous_amount)
SELECT decision_id, partnership_code, partnership_name, funded, funding_reason, year10, share_percent,
       amount, days_per_week, fte, previous_amount
FROM lines;
