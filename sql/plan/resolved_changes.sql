-- The plan's changes (registered as `plan_changes`, grain: seq) with each member resolved to
-- the register's institution_id: a member may be named by its URN or by its UKPRN, as in a
-- roster file. Used by check_changes.sql and proposed_roster.sql, which inline it by name.
CREATE OR REPLACE TEMP VIEW plan_resolved AS
SELECT c.*,
       coalesce(by_id.institution_id, by_ukprn.institution_id) AS institution_id,
       coalesce(by_id.name, by_ukprn.name) AS institution_name
FROM plan_changes AS c
LEFT JOIN institutions AS by_id ON by_id.institution_id = c.member_id
LEFT JOIN (SELECT * FROM institutions WHERE ukprn IS NOT NULL AND ukprn <> institution_id) AS by_ukprn
       ON by_ukprn.ukprn = c.member_id AND by_id.institution_id IS NULL;
