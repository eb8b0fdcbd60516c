-- gap_codes: one row per coverage-gap code (grain: code). Stable codes with what they mean and
-- what to do; the gaps macro joins them, the README and the dashboard show them.
CREATE TABLE IF NOT EXISTS gap_codes (
    code VARCHAR PRIMARY KEY,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'error_if_funded')),
    meaning VARCHAR NOT NULL,
    action VARCHAR NOT NULL
);
INSERT OR REPLACE INTO gap_codes (code, severity, meaning, action) VALUES
    ('school_uncovered', 'error', 'An open high school, special school or PRU is a full member of no partnership.', 'Add it to the roster of its local partnership.'),
    ('school_multiple', 'error', 'An open high school, special school or PRU is a full member of more than one partnership; its Year 10 is split between them.', 'Agree its one local partnership and remove it from the other rosters.'),
    ('college_not_full_member', 'error', 'An open college is a full member of no partnership.', 'Make it a full member of the partnerships its learners travel to.'),
    ('wbl_not_full_member', 'warning', 'An open work-based learning provider is a full member of no partnership.', 'If it is relevant to a partnership, make it a full member.'),
    ('partnership_no_college', 'error', 'A partnership has no open college as a full member.', 'Bring the nearest college in as a full member.'),
    ('partnership_no_school', 'warning', 'A partnership has no open school as a full member.', 'Check its roster: a partnership is built on its schools.'),
    ('member_unknown', 'error', 'A roster names an institution that is not in the register.', 'Load a register that lists it, or correct the roster.'),
    ('member_closed', 'warning', 'A roster names an institution that is closed.', 'Remove it from the roster, or add its successor.'),
    ('member_out_of_scope', 'warning', 'A full member is neither a school nor a college nor a work-based learning provider (for example, an independent or primary school); it adds nothing to the Year 10 proxy.', 'Make it an associate member, or check its kind in the register.'),
    ('census_missing', 'error_if_funded', 'A member high or special school has no Year 10 figure on the census used, so it adds nothing to its partnership''s funding.', 'Load the census figure for the school (an error when the partnership is funded).'),
    ('not_accredited', 'warning', 'A partnership is not accredited (pending, not accredited, lapsed, or no decision).', 'Complete the health check and record the accreditation decision; unaccredited partnerships are not funded.'),
    ('review_due', 'warning', 'An accredited partnership''s yearly accreditation review is overdue or due within 60 days. It stays funded: only a recorded decision (lapsed, not accredited) stops its funding.', 'Run the health check and record the review decision before the date.'),
    ('travel_outlier', 'warning', 'A school is far from the centre of its partnership, or nearer another partnership''s centre than its own.', 'Review whether its learners travel to learn in this partnership.'),
    ('location_missing', 'warning', 'A member school has no location, so it cannot be mapped or checked for travel to learn.', 'Load a register with its easting/northing or latitude/longitude.'),
    ('previous_unmatched', 'warning', 'A previous (2008/9 basis) allocation names a code that is not a current partnership.', 'Map the old code to its new partnership, or leave it to show as previous-only.');
