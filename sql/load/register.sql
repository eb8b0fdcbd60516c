-- Upsert institutions from a validated register file (staged as `incoming`, grain: institution_id).
-- A register file updates the institutions it lists and leaves the others alone, so schools
-- (GIAS) and providers (a UKPRN list) can come from separate files.
INSERT OR REPLACE INTO institutions
    (institution_id, urn, ukprn, name, kind, la_code, district, status, opened_on, closed_on,
     easting, northing, latitude, longitude, source)
SELECT institution_id, urn, ukprn, name, kind, la_code, district, status, opened_on, closed_on,
       easting, northing, latitude, longitude, source
FROM incoming;
