-- The census an allocation or the coverage gaps use when none is chosen (grain: one row): the
-- latest complete for the funded partnerships under the settings, whether it is complete (false
-- when no census is and the latest is used, which an allocation then refuses), and the latest
-- census loaded, so the page can say why a newer one was passed over. Every value is bound.
SELECT
    default_census_date($as_of, $include_pending, $treat_as_accredited) AS census_date,
    complete_census_date($as_of, $include_pending, $treat_as_accredited) IS NOT NULL AS complete,
    latest_census_date() AS latest_census_date,
    effective_as_of($as_of) AS as_of
