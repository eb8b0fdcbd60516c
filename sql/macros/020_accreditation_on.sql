-- accreditation_on(p_as_of): each partnership's accreditation on a day, from its latest
-- decision on or before it (grain: partnership_code), for the partnerships that exist that day
-- (partnerships_on). No decision: status is NULL.
CREATE OR REPLACE MACRO accreditation_on(p_as_of) AS TABLE
SELECT
    p.partnership_code,
    p.name AS partnership_name,
    d.status,
    d.decided_on,
    d.review_due,
    -- Decisions are reviewed yearly: with no review date recorded, a year after the decision.
    CASE WHEN d.status = 'accredited' THEN coalesce(d.review_due, CAST(d.decided_on + INTERVAL 1 YEAR AS DATE)) END AS review_by,
    d.notes
FROM partnerships_on(p_as_of) AS p
LEFT JOIN (
    SELECT *
    FROM accreditation_decisions
    WHERE decided_on <= p_as_of::DATE
    QUALIFY row_number() OVER (PARTITION BY partnership_code ORDER BY decided_on DESC) = 1
) AS d USING (partnership_code);
