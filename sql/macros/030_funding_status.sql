-- funding_status(p_as_of, p_include_pending, p_treat_as_accredited): whether each partnership
-- is funded under the settings, and why in words (grain: partnership_code).
CREATE OR REPLACE MACRO funding_status(p_as_of, p_include_pending := false, p_treat_as_accredited := []::VARCHAR[]) AS TABLE
SELECT
    a.*,
    list_contains(coalesce(p_treat_as_accredited, []::VARCHAR[]), a.partnership_code) AS treated_as_accredited,
    coalesce(a.status = 'accredited', false)
        OR treated_as_accredited
        OR (coalesce(p_include_pending, false) AND coalesce(a.status = 'pending', false)) AS funded,
    CASE
        WHEN a.status = 'accredited' THEN 'accredited on ' || day_text(a.decided_on)
        WHEN treated_as_accredited THEN 'treated as accredited in this scenario (recorded status: '
            || coalesce(replace(a.status, '_', ' '), 'no decision') || ')'
        WHEN a.status = 'pending' AND coalesce(p_include_pending, false)
            THEN 'accreditation pending since ' || day_text(a.decided_on) || '; funded because pending partnerships are included'
        WHEN a.status = 'pending' THEN 'not funded: accreditation pending since ' || day_text(a.decided_on)
        WHEN a.status = 'not_accredited' THEN 'not funded: not accredited on ' || day_text(a.decided_on)
        WHEN a.status = 'lapsed' THEN 'not funded: accreditation lapsed on ' || day_text(a.decided_on)
        ELSE 'not funded: no accreditation decision recorded'
    END AS funding_reason
FROM accreditation_on(p_as_of) AS a;
