-- plan_gap_scope(): the coverage gaps a membership change can close (grain: code): the ones the
-- suggestions offer alternatives for and the best plan (pipelines/rules/plan_best.py) works through.
-- `identity` says what one such gap is about, whatever rows show it:
--   institution: the school or provider, wherever it is (school_multiple shows a row per
--     partnership, and a travel_outlier moved to a partnership where it is still far is the same
--     gap in another form): closed only when the institution has no gap of that code at all;
--   partnership: the partnership; roster_entry: one member of one partnership's roster.
-- `priority`: the order the best plan takes them in: errors before warnings, and a school in
-- several partnerships is settled into one before it is moved for travel to learn.
CREATE OR REPLACE MACRO plan_gap_scope() AS TABLE
SELECT *
FROM (VALUES
    (1, 'member_unknown', 'roster_entry'),
    (2, 'school_multiple', 'institution'),
    (3, 'school_uncovered', 'institution'),
    (4, 'college_not_full_member', 'institution'),
    (5, 'partnership_no_college', 'partnership'),
    (6, 'member_closed', 'roster_entry'),
    (7, 'member_out_of_scope', 'roster_entry'),
    (8, 'wbl_not_full_member', 'institution'),
    (9, 'travel_outlier', 'institution')
) AS scope(priority, code, identity);
