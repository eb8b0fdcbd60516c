-- Health-check items of a partnership's latest decision on the as-of day (grain: item).
SELECT h.item, h.met, h.note, h.decided_on
FROM health_check_results AS h
JOIN accreditation_on(effective_as_of($as_of)) AS a
  ON a.partnership_code = h.partnership_code AND a.decided_on = h.decided_on
WHERE h.partnership_code = $partnership_code
ORDER BY h.item
