-- decision_line_amounts: what each decision's lines pay each partnership (grain: decision_id,
-- partnership_code), to compare with the decision's frozen CSV.
SELECT decision_id, partnership_code, amount
FROM decision_lines
ORDER BY decision_id, partnership_code
