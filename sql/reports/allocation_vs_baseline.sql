-- An allocation against a baseline, line by line (grain: line): the split on screen is registered
-- as allocation_rows and the baseline's partnership lines as baseline_rows (partnership_code,
-- amount); $baseline_top_slice is the baseline's county top-slice. One row per partnership of the
-- split (a partnership the baseline does not have counts from £0), one for the county top-slice
-- when either side has one ($top_slice_code), then the total of those rows. Exact to the penny.
WITH lines AS (
    SELECT 1 AS place, 'partnership' AS line, a.partnership_code, b.amount AS baseline_amount,
           a.amount - coalesce(b.amount, 0) AS change
    FROM allocation_rows AS a
    LEFT JOIN baseline_rows AS b USING (partnership_code)
    UNION ALL
    SELECT 2, 'top_slice', $top_slice_code, CAST($baseline_top_slice AS DECIMAL(18, 2)),
           coalesce(s.top_slice, 0) - CAST($baseline_top_slice AS DECIMAL(18, 2))
    FROM (SELECT any_value(top_slice) AS top_slice FROM allocation_rows) AS s
    WHERE coalesce(s.top_slice, 0) <> 0 OR CAST($baseline_top_slice AS DECIMAL(18, 2)) <> 0
)
SELECT line, partnership_code, CAST(baseline_amount AS DECIMAL(18, 2)) AS baseline_amount, CAST(change AS DECIMAL(18, 2)) AS change
FROM (
    SELECT * FROM lines
    UNION ALL
    SELECT 3, 'total', NULL, sum(baseline_amount), sum(change) FROM lines
)
ORDER BY place, partnership_code
