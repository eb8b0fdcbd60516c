"""The store: the one place that opens DuckDB, its SQL and migrations, backups, the audit seal and
the record tables. Above base only: a stage that needs the store asks here."""
