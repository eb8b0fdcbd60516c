-- memberships_on(p_as_of): memberships in force on a day, with what the register says of each
-- member (grain: partnership_code, institution_id). `left` is the last day of membership.
-- Members missing from the register are kept (known = false) so they show as gaps.
CREATE OR REPLACE MACRO memberships_on(p_as_of) AS TABLE
SELECT
    m.partnership_code,
    p.name AS partnership_name,
    m.institution_id,
    m.role,
    m.joined_on,
    m.left_on,
    i.institution_id IS NOT NULL AS known,
    coalesce(i.name, 'Unknown institution ' || m.institution_id) AS name,
    i.kind,
    coalesce(i.kind_label, 'unknown institution') AS kind_label,
    i.district,
    i.latitude,
    i.longitude,
    coalesce(i.must_be_covered, false) AS must_be_covered,
    coalesce(i.counts_year10, false) AS counts_year10,
    coalesce(is_open_on(i.status, i.opened_on, i.closed_on, p_as_of::DATE), false) AS is_open
FROM memberships AS m
JOIN partnerships AS p USING (partnership_code)
LEFT JOIN stg_institutions AS i USING (institution_id)
WHERE m.joined_on <= p_as_of::DATE
  AND (m.left_on IS NULL OR m.left_on >= p_as_of::DATE);

-- partnerships_on(p_as_of): the partnerships that exist on a day (grain: partnership_code). A
-- partnership whose every member has left before the day (one merged into another) has ended;
-- one with no members at all (just created) still exists, so it shows as a gap.
CREATE OR REPLACE MACRO partnerships_on(p_as_of) AS TABLE
SELECT p.*
FROM partnerships AS p
WHERE NOT EXISTS (SELECT 1 FROM memberships AS m WHERE m.partnership_code = p.partnership_code)
   OR EXISTS (SELECT 1 FROM memberships AS m
              WHERE m.partnership_code = p.partnership_code AND (m.left_on IS NULL OR m.left_on >= p_as_of::DATE));
