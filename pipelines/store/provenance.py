"""Whether the loaded figures are real, proxy, inferred, synthetic or unlabelled, so that every
export and page says it where finance sees it.

The rule lives in sql/reports/data_status.sql and reads each input's own source notes, so a
council's own files (no notes) show as "unlabelled", not as the demonstration data's caveats.
This module only runs that report and words it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.base import clock
from pipelines.store import db


def data_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per input: input, status, rows, total_rows, breakdown, example_note, meaning,
    stand_in, last_loaded_at (the latest load of any file, the same on every row)."""
    return con.sql(db.read_sql("reports/data_status.sql")).pl()


def _describe(record: dict) -> str:
    if record["status"] is None:
        return f"{record['input']}: none loaded"
    if record["rows"] == record["total_rows"]:
        return f"{record['input']}: {record['status']} ({record['rows']} rows)"
    others = record["breakdown"].split(", ")[1:]  # the headline status comes first
    return f"{record['input']}: {record['status']} {record['rows']} of {record['total_rows']} ({', '.join(others)})"


def data_status_line(status: pl.DataFrame) -> str:
    """The whole status in one line, e.g. "Year 10 figures: proxy (64 rows); memberships:
    inferred (81 rows); ...": short enough to repeat on every row of a CSV."""
    return "; ".join(_describe(r) for r in status.iter_rows(named=True))


def stand_in_inputs(status: pl.DataFrame) -> list[str]:
    """The inputs with any synthetic, proxy or inferred row, worded as "Year 10 figures (proxy)"."""
    return [f"{r['input']} ({r['status']})" for r in status.filter(pl.col("stand_in")).iter_rows(named=True)]


def stand_in_warning(status: pl.DataFrame) -> str | None:
    """A sentence to put first wherever the figures are used, or None when nothing is a stand-in."""
    flagged = stand_in_inputs(status)
    if not flagged:
        return None
    return (
        "Not every figure here is the council's own: "
        + "; ".join(flagged)
        + ". Check these inputs before paying from these amounts."
    )


def last_loaded(status: pl.DataFrame) -> dt.datetime | None:
    return status["last_loaded_at"][0] if status.height else None


def last_loaded_text(status: pl.DataFrame) -> str:
    return clock.uk_text(last_loaded(status), "never")
