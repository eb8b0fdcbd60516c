-- The schema version of the store: the last migration it has been through (grain: one value).
SELECT coalesce(max(version), 0) FROM schema_version
