-- Each partnership's allocation before and after a plan (registered as allocation_before and
-- allocation_after, each the allocation output), exact to the penny (grain: partnership_code).
-- A partnership the plan creates has no "before"; one it merges away has no "after".
SELECT
    partnership_code,
    coalesce(a.partnership_name, b.partnership_name) AS partnership_name,
    b.funded AS funded_before, a.funded AS funded_after,
    b.year10 AS year10_before, a.year10 AS year10_after,
    b.amount AS amount_before, a.amount AS amount_after,
    coalesce(a.amount, 0) - coalesce(b.amount, 0) AS amount_change,
    coalesce(a.year10, 0) - coalesce(b.year10, 0) AS year10_change
FROM allocation_before AS b
FULL JOIN allocation_after AS a USING (partnership_code)
ORDER BY partnership_code;
