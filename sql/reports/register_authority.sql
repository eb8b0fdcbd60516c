-- The authority most of a store's open schools are in (grain: at most one row), for a store whose
-- build wrote no outlines (an earlier release's, or one only ever loaded into): its authority is
-- known only from its register, and its name is not recorded. None for a store of no school.
SELECT la_code, NULL::VARCHAR AS la_name
FROM institutions
WHERE la_code IS NOT NULL AND status <> 'closed' AND kind IN ('high_school', 'special_school', 'pru')
GROUP BY la_code
ORDER BY count(*) DESC, la_code
LIMIT 1
