"""Everything below the dashboard, in stages a file goes through; each imports only those listed
before it (tests/test_architecture.py):

    base      settings, clock, money, typed text and numbers, refusals, logs
    store     DuckDB, SQL and migrations, backups, the audit seal, the record tables
    ingest    a file becomes checked rows and is loaded whole or not at all
    datasets  the embedded default data and the build of a store from it
    rules     allocation, gaps and plans: the gateway to the SQL in sql/
    outputs   CSV, XLSX, the meeting pack, the map, frozen decisions
    cli       the command line's parsing and exit codes

docs/architecture.md draws how a figure travels through them."""
