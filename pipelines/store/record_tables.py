"""The tables of what people did, as the store keeps them: who made a change from the command
line, and the record tables a rebuild of the data carries over unchanged. Below ingest (a rebuild
carries the records over) and below the decisions and scenarios that write these tables
(pipelines/outputs/records.py); every audit entry is written by audit_chain.append."""

from __future__ import annotations

import getpass
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines.store import db

# Tables that record what people did, not what the files said: a rebuild of the data from the
# default files carries them over unchanged.
RECORD_TABLES = ("scenarios", "decisions", "decision_lines", "audit_log")


def command_line_actor() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def carry_over(old_store: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Copy the record tables from the store being replaced into the new one, unchanged.

    Column by named column, those both stores have: an older store may lack a column added
    since (e.g. decisions.note), which then stays empty rather than failing the rebuild. A store
    that is damaged or newer than this code is refused: a rebuild must not lose its records."""
    if not old_store.exists():
        return
    old = db.connect_read_only(old_store)
    try:
        db.verify_readable(old, old_store)
        if db.refuse_if_too_new(old, old_store) < db.current_schema_version():
            # Records in an older shape (an audit log not yet sealed with the key) are first
            # brought forward on a scratch copy, by the same migrations as any upgrade.
            old.close()
            with tempfile.TemporaryDirectory(dir=old_store.parent) as scratch:
                upgraded = Path(scratch) / old_store.name
                shutil.copyfile(old_store, upgraded)
                old = duckdb.connect(str(upgraded))
                db.apply_sql(old, old_store)
                _carry(old, con)
                old.close()
            return
        _carry(old, con)
    finally:
        old.close()


def _carry(old: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection) -> None:
    for table in RECORD_TABLES:
        had = set(_columns(old, table))
        shared = [column for column in _columns(con, table) if column in had]
        if not shared:
            continue
        names = ", ".join(f'"{column}"' for column in shared)  # from the catalog, not from a user
        rows = old.sql(f"SELECT {names} FROM {table}").arrow()  # noqa: S608 - a fixed table name
        con.register("carried", rows)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM carried")  # noqa: S608
        con.unregister("carried")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(db.read_sql("load/table_columns.sql"), {"table": table}).fetchall()]
