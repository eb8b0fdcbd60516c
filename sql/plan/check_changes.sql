-- What in a plan cannot be applied to the store on the as-of day (grain: one problem), each
-- naming the change's row. Runs after plan_resolved (resolved_changes.sql) is made.
-- Order of a plan (the same as proposed_roster.sql): create, rename, remove, add, merge.
WITH
day AS (SELECT effective_as_of($as_of) AS d),
existing AS (SELECT partnership_code FROM partnerships),
current_partnerships AS (SELECT partnership_code FROM partnerships_on((SELECT d FROM day))),
created AS (SELECT DISTINCT partnership_code FROM plan_resolved WHERE change = 'create'),
usable AS (SELECT partnership_code FROM current_partnerships UNION SELECT partnership_code FROM created),
in_force AS (SELECT partnership_code, institution_id, role FROM memberships_on((SELECT d FROM day))),
removed AS (SELECT partnership_code, institution_id FROM plan_resolved WHERE change = 'remove'),
merged_away AS (SELECT partnership_code, min(row_label) AS row_label FROM plan_resolved WHERE change = 'merge' GROUP BY ALL),
problems AS (
    SELECT c.seq, c.row_label, 'partnership_code' AS column_name, c.partnership_code AS value,
           'a code not yet used (' || c.partnership_code || ' is already a partnership)' AS expected
    FROM plan_resolved AS c
    WHERE c.change = 'create' AND c.partnership_code IN (SELECT partnership_code FROM existing)

    UNION ALL
    SELECT c.seq, c.row_label, 'partnership_code', c.partnership_code,
           'at least one add row for the new partnership ' || c.partnership_code || ' (a roster names its members)'
    FROM plan_resolved AS c
    WHERE c.change = 'create'
      AND NOT EXISTS (SELECT 1 FROM plan_resolved AS a WHERE a.change = 'add' AND a.partnership_code = c.partnership_code)

    UNION ALL
    SELECT c.seq, c.row_label, 'partnership_code', c.partnership_code,
           'a partnership that exists on ' || day_text((SELECT d FROM day)) || ' or that the plan creates'
    FROM plan_resolved AS c
    WHERE c.change IN ('add', 'remove', 'rename', 'merge')
      AND c.partnership_code NOT IN (SELECT partnership_code FROM usable)

    UNION ALL
    SELECT c.seq, c.row_label, 'into_code', c.into_code,
           'a partnership that exists on ' || day_text((SELECT d FROM day)) || ' or that the plan creates'
    FROM plan_resolved AS c
    WHERE c.change = 'merge' AND c.into_code NOT IN (SELECT partnership_code FROM usable)

    UNION ALL
    SELECT c.seq, c.row_label, 'into_code', c.into_code,
           'a partnership the plan does not merge away itself (' || m.row_label || ' merges ' || c.into_code || ')'
    FROM plan_resolved AS c
    JOIN merged_away AS m ON m.partnership_code = c.into_code
    WHERE c.change = 'merge'

    UNION ALL
    SELECT c.seq, c.row_label, 'member_id', CAST(c.member_id AS VARCHAR),
           'a URN or UKPRN in the register'
    FROM plan_resolved AS c
    WHERE c.change = 'add' AND c.institution_id IS NULL

    UNION ALL
    SELECT c.seq, c.row_label, 'member_id', CAST(c.member_id AS VARCHAR),
           'a member of ' || c.partnership_code || ' on ' || day_text((SELECT d FROM day))
               || coalesce(' as a ' || c.role || ' member', '') || ' (it is not on that roster' || coalesce(' as ' || c.role, '') || ')'
    FROM plan_resolved AS c
    WHERE c.change = 'remove'
      AND c.partnership_code IN (SELECT partnership_code FROM usable)
      AND NOT EXISTS (
          SELECT 1 FROM in_force AS f
          WHERE f.partnership_code = c.partnership_code
            AND f.institution_id = coalesce(c.institution_id, c.member_id)
            AND (c.role IS NULL OR f.role = c.role))

    UNION ALL
    SELECT c.seq, c.row_label, 'member_id', CAST(c.member_id AS VARCHAR),
           'an institution not already in ' || c.partnership_code || ' (it is ' || CASE f.role WHEN 'associate' THEN 'an associate' ELSE 'a full' END || ' member on '
               || day_text((SELECT d FROM day)) || '; remove it in the plan first to change its role)'
    FROM plan_resolved AS c
    JOIN in_force AS f ON f.partnership_code = c.partnership_code AND f.institution_id = c.institution_id
    WHERE c.change = 'add'
      AND NOT EXISTS (SELECT 1 FROM removed AS r WHERE r.partnership_code = c.partnership_code AND r.institution_id = c.institution_id)
)
SELECT row_label, column_name, value, expected
FROM problems
ORDER BY seq, column_name;
