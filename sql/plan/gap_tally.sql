-- What the pages' gap counts count, on one map (registered as `gaps`, the coverage_gaps output;
-- grain: one row). Every page counts from these figures, so a reader can see why the Overview,
-- the Plan page and the Coverage gaps page give different numbers for the same map:
--   gap_rows: every row of every kind (the Coverage gaps page): warnings and data checks included,
--     and a school in several partnerships has a row for each of them;
--   gaps: the gaps themselves, one per thing wrong (plan_gap_scope's identity: a school in
--     several partnerships, or far from its own, is one gap of the school);
--   closable: those of the kinds a membership change can close (the Plan page);
--   schools_uncovered, schools_in_several: the schools in no partnership or in several (the
--     Overview's "not covered or in several").
WITH
keyed AS (
    SELECT g.code, g.severity, s.code IS NOT NULL AS closable,
           CASE WHEN s.identity = 'institution' THEN NULL ELSE g.partnership_code END AS partnership_code,
           CASE WHEN s.identity = 'partnership' THEN NULL ELSE g.institution_id END AS institution_id
    FROM gaps AS g
    LEFT JOIN plan_gap_scope() AS s USING (code)
),
one_each AS (
    SELECT DISTINCT code, closable, partnership_code, institution_id FROM keyed
)
SELECT
    (SELECT count(*) FROM keyed) AS gap_rows,
    (SELECT count(*) FILTER (WHERE severity = 'warning') FROM keyed) AS warning_rows,
    (SELECT count(*) FROM one_each) AS gaps,
    (SELECT count(*) FILTER (WHERE closable) FROM one_each) AS closable,
    (SELECT count(DISTINCT institution_id) FILTER (WHERE code = 'school_uncovered') FROM gaps) AS schools_uncovered,
    (SELECT count(DISTINCT institution_id) FILTER (WHERE code = 'school_multiple') FROM gaps) AS schools_in_several
