-- institutions: one row per establishment or provider (grain: institution_id).
-- institution_id is the URN for schools and the UKPRN for providers without a URN;
-- URNs have six digits and UKPRNs eight, so the two never collide.
CREATE TABLE IF NOT EXISTS institutions (
    institution_id BIGINT PRIMARY KEY,
    urn INTEGER CHECK (urn BETWEEN 100000 AND 999999),
    ukprn INTEGER CHECK (ukprn BETWEEN 10000000 AND 99999999),
    name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    kind VARCHAR NOT NULL CHECK (kind IN ('high_school', 'special_school', 'pru', 'college', 'wbl_provider', 'other')),
    la_code VARCHAR,
    district VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('open', 'closed', 'proposed_to_open', 'proposed_to_close')),
    opened_on DATE,
    closed_on DATE,
    easting DOUBLE,
    northing DOUBLE,
    latitude DOUBLE CHECK (latitude BETWEEN 49.8 AND 60.95),
    longitude DOUBLE CHECK (longitude BETWEEN -8.7 AND 1.9),
    source VARCHAR,
    CHECK (institution_id = coalesce(urn, ukprn)),
    CHECK (closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
