-- The whole roster the store would hold after the plan (grain: partnership_code, member_id,
-- joined), in the roster loader's layout, so loading it is the plan's one way into the store.
-- Every partnership is named, so the load replaces every roster. Changes take effect on the
-- as-of day, in this order: create, rename, remove, add, merge. A member removed (or in a
-- partnership merged away) leaves the day before: its row keeps its history with a leaving
-- date, or goes if it would only have started that day. A member added joins on the day.
-- Merging A into B: every member of A on the day joins B (unless it is in B already) and
-- leaves A, which then has no members and ends. A removed member the register does not list
-- loses its rows in that partnership altogether. Runs after resolved_changes.sql.
WITH
day AS (SELECT effective_as_of($as_of) AS d),
renamed AS (
    SELECT partnership_code, arg_max(partnership_name, seq) AS new_name
    FROM plan_resolved WHERE change = 'rename' GROUP BY ALL
),
names AS (
    SELECT p.partnership_code, coalesce(r.new_name, p.name) AS partnership_name
    FROM partnerships AS p LEFT JOIN renamed AS r USING (partnership_code)
    UNION ALL
    SELECT c.partnership_code, coalesce(any_value(r.new_name), any_value(c.partnership_name))
    FROM plan_resolved AS c LEFT JOIN renamed AS r USING (partnership_code)
    WHERE c.change = 'create' GROUP BY ALL
),
merges AS (
    SELECT partnership_code AS from_code, into_code FROM plan_resolved WHERE change = 'merge'
),
removed AS (  -- a member the register no longer lists is named by the id on the roster
    SELECT partnership_code, coalesce(institution_id, member_id) AS institution_id FROM plan_resolved WHERE change = 'remove'
),
-- Rows of a removed member the register does not list go altogether: the roster loader takes
-- only members in the register, so their history cannot be carried.
forgotten AS (
    SELECT r.partnership_code, r.institution_id
    FROM removed AS r
    WHERE r.institution_id NOT IN (SELECT institution_id FROM institutions)
),
stored AS (
    SELECT m.*,
           m.joined_on <= (SELECT d FROM day) AND (m.left_on IS NULL OR m.left_on >= (SELECT d FROM day)) AS in_force
    FROM memberships AS m
),
after_removal AS (
    SELECT s.partnership_code, s.institution_id, s.role, s.joined_on, s.left_on, s.source,
           s.in_force AND EXISTS (SELECT 1 FROM removed AS r
                                  WHERE r.partnership_code = s.partnership_code AND r.institution_id = s.institution_id) AS ends
    FROM stored AS s
),
added AS (
    SELECT partnership_code, institution_id, coalesce(role, 'full') AS role, (SELECT d FROM day) AS joined_on,
           NULL::DATE AS left_on, 'plan: joined on ' || strftime((SELECT d FROM day), '%Y-%m-%d') AS source
    FROM plan_resolved WHERE change = 'add'
),
before_merge AS (
    SELECT partnership_code, institution_id, role, joined_on, left_on, source, ends, false AS is_new
    FROM after_removal AS a
    WHERE NOT EXISTS (SELECT 1 FROM forgotten AS f
                      WHERE f.partnership_code = a.partnership_code AND f.institution_id = a.institution_id)
    UNION ALL
    SELECT partnership_code, institution_id, role, joined_on, left_on, source, false, true FROM added
),
members_on_day AS (
    SELECT partnership_code, institution_id, role
    FROM before_merge
    WHERE NOT ends AND joined_on <= (SELECT d FROM day) AND (left_on IS NULL OR left_on >= (SELECT d FROM day))
),
moved AS (
    SELECT g.into_code AS partnership_code, m.institution_id,
           CASE WHEN bool_or(m.role = 'full') THEN 'full' ELSE 'associate' END AS role,
           (SELECT d FROM day) AS joined_on, NULL::DATE AS left_on,
           'plan: joined on ' || strftime((SELECT d FROM day), '%Y-%m-%d') || ' from ' || string_agg(DISTINCT g.from_code, ', ') || ' (merged)' AS source
    FROM merges AS g
    JOIN members_on_day AS m ON m.partnership_code = g.from_code
    WHERE NOT EXISTS (SELECT 1 FROM members_on_day AS b WHERE b.partnership_code = g.into_code AND b.institution_id = m.institution_id)
    GROUP BY g.into_code, m.institution_id
),
final AS (
    SELECT partnership_code, institution_id, role, joined_on,
           CASE WHEN ending THEN CAST((SELECT d FROM day) - INTERVAL 1 DAY AS DATE) ELSE left_on END AS left_on, source
    FROM (
        SELECT b.*, b.ends OR (b.partnership_code IN (SELECT from_code FROM merges)
                               AND joined_on <= (SELECT d FROM day) AND (left_on IS NULL OR left_on >= (SELECT d FROM day))) AS ending
        FROM before_merge AS b
    )
    WHERE NOT (ending AND joined_on >= (SELECT d FROM day))
    UNION ALL
    SELECT * FROM moved
)
SELECT f.partnership_code, n.partnership_name, f.institution_id AS member_id, f.role,
       f.joined_on AS joined, f.left_on AS "left", f.source
FROM final AS f
JOIN names AS n USING (partnership_code)
ORDER BY f.partnership_code, f.institution_id, f.joined_on;
