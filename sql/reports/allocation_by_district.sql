-- An allocation's money by district (grain: line: a district, then the county top-slice and the
-- total). The split is registered as allocation_rows, and the year10_attribution rows of its day,
-- census and map as attribution_rows (they do not change with the pot, so the caller keeps them).
-- Each funded partnership's amount is split across the districts of its counted schools by their
-- Year 10 as counted for it (a school in k partnerships counts 1/k), in whole pence by largest
-- remainder (ties to the district first by name), so each partnership's parts add up to its
-- amount and the lines to the pot. A school whose district is not recorded, and a funded
-- partnership with no Year 10 learners (a lump sum alone), each have a line of their own. Year 10
-- here is that of the funded partnerships.
WITH counted AS (
    SELECT partnership_code, district, counted_headcount, partnerships
    FROM attribution_rows
    WHERE counted
),
-- Year 10 scaled by the least common multiple d of the partnership counts: 1/k shares are whole.
scale AS (
    SELECT CAST(coalesce(list_reduce(list(DISTINCT partnerships), lambda a, b: lcm(a, b)), 1) AS HUGEINT) AS d
    FROM counted
),
paid AS (
    SELECT partnership_code, CAST(amount * 100 AS HUGEINT) AS amount_p
    FROM allocation_rows
    WHERE funded
),
weights AS (
    SELECT p.partnership_code, p.amount_p,
           CASE WHEN c.partnership_code IS NULL THEN 'No Year 10 learners (a lump sum alone)'
                ELSE coalesce(c.district, 'District not recorded') END AS district,
           CASE WHEN c.partnership_code IS NULL THEN 3 WHEN c.district IS NULL THEN 2 ELSE 1 END AS place,
           coalesce(sum(CAST(c.counted_headcount AS HUGEINT) * (s.d // c.partnerships)), 0) AS w
    FROM paid AS p
    LEFT JOIN counted AS c USING (partnership_code)
    CROSS JOIN scale AS s
    GROUP BY ALL
),
split AS (
    SELECT *,
           CASE WHEN w_total = 0 THEN amount_p ELSE amount_p * w // w_total END AS floor_p,
           CASE WHEN w_total = 0 THEN 0 ELSE amount_p * w % w_total END AS remainder_p
    FROM (SELECT *, sum(w) OVER (PARTITION BY partnership_code) AS w_total FROM weights)
),
parts AS (
    SELECT *,
           floor_p + CASE WHEN row_number() OVER (PARTITION BY partnership_code ORDER BY remainder_p DESC, place, district)
                               <= amount_p - sum(floor_p) OVER (PARTITION BY partnership_code) THEN 1 ELSE 0 END AS part_p
    FROM split
),
districts AS (
    SELECT place, district, sum(w) AS w, sum(part_p) AS amount_p,
           string_agg(DISTINCT partnership_code, ', ' ORDER BY partnership_code) AS partnerships
    FROM parts
    GROUP BY place, district
),
lines AS (
    SELECT place, 'district' AS line, district, w, amount_p, partnerships FROM districts
    UNION ALL
    SELECT 4, 'top_slice', $top_slice_name, NULL, CAST(top_slice * 100 AS HUGEINT), NULL
    FROM (SELECT any_value(top_slice) AS top_slice FROM allocation_rows)
    WHERE coalesce(top_slice, 0) <> 0
)
SELECT line, district,
       CAST(CAST(w * 10000 // s.d AS DECIMAL(38, 0)) * 0.0001 AS DECIMAL(18, 4)) AS year10,
       CAST(CAST(amount_p AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2)) AS amount,
       -- Pounds per Year 10 learner, exact then rounded half up to the penny, for people to read.
       CASE WHEN w > 0 THEN CAST(CAST((2 * amount_p * s.d + w) // (2 * w) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2)) END AS per_year10,
       partnerships
FROM (
    SELECT * FROM lines
    UNION ALL
    SELECT 5, 'total', 'Total', sum(w), sum(amount_p), NULL FROM lines
) CROSS JOIN scale AS s
ORDER BY place, district
