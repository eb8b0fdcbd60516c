-- The members of one partnership on the as-of day, every role (grain: institution_id).
SELECT institution_id, name, kind_label AS kind, role, district, joined_on, left_on, known, is_open, latitude, longitude
FROM memberships_on(effective_as_of($as_of))
WHERE partnership_code = $partnership_code
ORDER BY role, kind, name
