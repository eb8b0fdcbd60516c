-- Replace the rosters of the partnerships named in the file (staged as `incoming`).
-- A roster file is the whole membership of each partnership it names: members missing from
-- it have left the partnership. Partnerships not named in the file are untouched.
INSERT OR REPLACE INTO partnerships (partnership_code, name, source)
SELECT partnership_code, any_value(partnership_name), 'roster file'
FROM incoming
GROUP BY partnership_code;

DELETE FROM memberships
WHERE partnership_code IN (SELECT DISTINCT partnership_code FROM incoming);

INSERT INTO memberships (partnership_code, institution_id, role, joined_on, left_on, source)
SELECT partnership_code, institution_id, role, joined_on, left_on, source
FROM incoming;
