"""What validation needs to know about the store as it is now (which institutions and
partnerships exist), read once per load from a read-only connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.store import db

INSTITUTION_SCHEMA = {
    "institution_id": pl.Int64,
    "urn": pl.Int64,
    "ukprn": pl.Int64,
    "name": pl.String,
    "kind": pl.String,
    "status": pl.String,
    "closed_on": pl.Date,
}


@dataclass
class StoreContext:
    institutions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=INSTITUTION_SCHEMA))
    partnership_codes: frozenset[str] = frozenset()
    decisions: frozenset[tuple[str, object]] = frozenset()
    loaded: dict[str, str] = field(default_factory=dict)  # kind -> sha256 of its latest load
    # The latest census with Year 10 figures and its number of schools: a much smaller newer
    # census would silently become the default, so the census check compares against it.
    latest_census: tuple[dt.date, int] | None = None


def read_context(db_path: Path | str) -> StoreContext:
    """The context of the live store (empty when there is none yet)."""
    if not Path(db_path).exists():
        return StoreContext()
    con = db.connect_read_only(db_path)
    try:
        return context_from(con)
    finally:
        con.close()


def context_from(con: duckdb.DuckDBPyConnection) -> StoreContext:
    institutions = con.sql(db.read_sql("load/context_institutions.sql")).pl().cast(INSTITUTION_SCHEMA)
    codes = frozenset(r[0] for r in con.execute(db.read_sql("load/context_partnerships.sql")).fetchall())
    decisions = frozenset(con.execute(db.read_sql("load/context_decisions.sql")).fetchall())
    loaded = dict(con.execute(db.read_sql("load/context_latest_loads.sql")).fetchall())
    latest = con.execute(db.read_sql("load/context_latest_census.sql")).fetchone()
    return StoreContext(institutions, codes, decisions, loaded, (latest[0], int(latest[1])) if latest else None)
