-- Gap counts by code before and after a plan (registered as gaps_before and gaps_after, each
-- the coverage_gaps output), every code listed in gap_codes (grain: code).
WITH
before AS (SELECT code, count(*) AS n FROM gaps_before GROUP BY code),
after AS (SELECT code, count(*) AS n FROM gaps_after GROUP BY code)
SELECT c.code, c.severity,
       coalesce(b.n, 0) AS before, coalesce(a.n, 0) AS after,
       coalesce(a.n, 0) - coalesce(b.n, 0) AS change
FROM gap_codes AS c
LEFT JOIN before AS b USING (code)
LEFT JOIN after AS a USING (code)
WHERE b.n IS NOT NULL OR a.n IS NOT NULL
ORDER BY change = 0, c.code;
