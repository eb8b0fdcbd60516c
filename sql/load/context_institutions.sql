-- What roster and census validation need to know about the register (grain: institution_id).
SELECT institution_id, urn, ukprn, name, kind, status, closed_on
FROM institutions
