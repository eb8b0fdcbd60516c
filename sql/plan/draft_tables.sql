-- A draft of the map for what-ifs: temporary tables named like the store's partnerships and
-- memberships, made from a proposed roster (registered as `draft_roster`). DuckDB looks in the
-- temporary schema first, so on this connection alone every macro and view (gaps, allocation,
-- map) reads the draft; other connections and the store file are untouched.
CREATE TEMP TABLE partnerships AS
SELECT partnership_code, any_value(partnership_name) AS name, 'plan (draft)' AS source
FROM draft_roster
GROUP BY partnership_code
UNION ALL
SELECT partnership_code, name, source
FROM partnerships
WHERE partnership_code NOT IN (SELECT partnership_code FROM draft_roster);

CREATE TEMP TABLE memberships AS
SELECT partnership_code, CAST(member_id AS BIGINT) AS institution_id, role, joined AS joined_on, "left" AS left_on, source
FROM draft_roster;
