-- reviews_due(p_as_of): accreditation reviews overdue on a day, or due within 60 days of it (the
-- Group meets about every two months), one row per partnership (grain: partnership_code), with
-- the words the gaps list and the pages show. The review_due gap (coverage_gaps) is these rows;
-- the Overview asks for them alone, without the rest of the gaps.
CREATE OR REPLACE MACRO reviews_due(p_as_of := NULL) AS TABLE
SELECT
    a.partnership_code,
    a.partnership_name,
    a.review_by,
    a.partnership_name || CASE
        WHEN a.review_by < effective_as_of(p_as_of)
            THEN ': accreditation review overdue since ' || day_text(a.review_by)
                 || ' (' || date_diff('day', a.review_by, effective_as_of(p_as_of)) || ' days); still funded until a decision is recorded'
        ELSE ': accreditation review due on ' || day_text(a.review_by)
                 || ' (in ' || date_diff('day', effective_as_of(p_as_of), a.review_by) || ' days)'
    END AS detail
FROM accreditation_on(effective_as_of(p_as_of)) AS a
WHERE a.review_by <= effective_as_of(p_as_of) + INTERVAL 60 DAY;
