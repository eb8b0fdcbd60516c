-- stg_institutions: institutions with the flags the rules need (grain: institution_id).
CREATE OR REPLACE VIEW stg_institutions AS
SELECT
    *,
    kind IN ('high_school', 'special_school', 'pru') AS must_be_covered,
    kind IN ('high_school', 'special_school') AS counts_year10,
    CASE kind
        WHEN 'high_school' THEN 'high school'
        WHEN 'special_school' THEN 'special school'
        WHEN 'pru' THEN 'pupil referral unit'
        WHEN 'college' THEN 'college'
        WHEN 'wbl_provider' THEN 'WBL provider'
        ELSE 'other institution'
    END AS kind_label
FROM institutions;
