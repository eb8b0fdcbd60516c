-- The gap codes with a short label in words, their meaning and what to do (grain: code). The
-- stable codes are for files and links; people read the labels.
WITH labels (code, label) AS (
    VALUES
        ('school_uncovered', 'School in no partnership'),
        ('school_multiple', 'School in several partnerships'),
        ('college_not_full_member', 'College in no partnership'),
        ('wbl_not_full_member', 'Training provider in no partnership'),
        ('partnership_no_college', 'Partnership without a college'),
        ('partnership_no_school', 'Partnership without a school'),
        ('member_unknown', 'Member not in the register'),
        ('member_closed', 'Closed member'),
        ('member_out_of_scope', 'Member of the wrong kind'),
        ('census_missing', 'No Year 10 figure'),
        ('not_accredited', 'Not accredited'),
        ('review_due', 'Accreditation review due'),
        ('travel_outlier', 'Far from its partnership'),
        ('location_missing', 'No location'),
        ('previous_unmatched', 'Old code not a partnership')
)
SELECT g.code, coalesce(l.label, replace(g.code, '_', ' ')) AS label, g.severity, g.meaning, g.action
FROM gap_codes AS g
LEFT JOIN labels AS l USING (code)
ORDER BY g.code
