-- Which of a plan's changes the loaded rosters already make on the as-of day (grain: one row:
-- how many changes, how many in effect). When every one is, the plan is already loaded: a link
-- to a draft opened after its roster was approved says so instead of listing its changes as
-- errors. Runs after plan_resolved (resolved_changes.sql) is made.
--   add: the member is in the partnership in that role (full when none is given);
--   remove: it is no longer there (in that role, if one is given), and was once, or the register
--     does not list it (the roster then drops it altogether);
--   create, rename: the partnership exists on the day with that name;
--   merge: the partnership merged away has ended (every member left) and the one it went into exists.
WITH
day AS (SELECT effective_as_of($as_of) AS d),
in_force AS (SELECT partnership_code, institution_id, role FROM memberships_on((SELECT d FROM day))),
current_partnerships AS (SELECT partnership_code, name FROM partnerships_on((SELECT d FROM day))),
checked AS (
    SELECT c.seq,
           CASE c.change
               WHEN 'add' THEN EXISTS (
                   SELECT 1 FROM in_force AS f
                   WHERE f.partnership_code = c.partnership_code AND f.institution_id = c.institution_id
                     AND f.role = coalesce(c.role, 'full'))
               WHEN 'remove' THEN NOT EXISTS (
                   SELECT 1 FROM in_force AS f
                   WHERE f.partnership_code = c.partnership_code
                     AND f.institution_id = coalesce(c.institution_id, c.member_id)
                     AND (c.role IS NULL OR f.role = c.role))
                   AND (c.institution_id IS NULL OR EXISTS (
                       SELECT 1 FROM memberships AS m
                       WHERE m.partnership_code = c.partnership_code AND m.institution_id = c.institution_id))
               WHEN 'create' THEN EXISTS (
                   SELECT 1 FROM current_partnerships AS p
                   WHERE p.partnership_code = c.partnership_code AND p.name = c.partnership_name)
               WHEN 'rename' THEN EXISTS (
                   SELECT 1 FROM current_partnerships AS p
                   WHERE p.partnership_code = c.partnership_code AND p.name = c.partnership_name)
               WHEN 'merge' THEN c.partnership_code NOT IN (SELECT partnership_code FROM current_partnerships)
                   AND EXISTS (SELECT 1 FROM memberships AS m WHERE m.partnership_code = c.partnership_code)
                   AND c.into_code IN (SELECT partnership_code FROM current_partnerships)
               ELSE false
           END AS in_effect
    FROM plan_resolved AS c
)
SELECT count(*) AS changes, count(*) FILTER (WHERE in_effect) AS in_effect
FROM checked
