"""A plan beside the map as it is: gap counts by code and each partnership's money, before and
after, computed in SQL over the two results so the command line and the Plan page agree."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.store import db


def over_frames(con: duckdb.DuckDBPyConnection, sql: str, **frames: pl.DataFrame) -> pl.DataFrame:
    """A plan/ query over result frames registered under the names it reads."""
    cursor = con.cursor()
    try:
        for name, frame in frames.items():
            cursor.register(name, frame.to_arrow())
        return cursor.sql(db.read_sql(sql)).pl()
    finally:
        cursor.close()


def gap_counts(con: duckdb.DuckDBPyConnection, before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """code, severity, before, after, change: codes that changed first."""
    return over_frames(con, "plan/compare_gaps.sql", gaps_before=before, gaps_after=after)


def allocation_change(con: duckdb.DuckDBPyConnection, before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Per partnership: funded, Year 10 and amount before and after, and the changes."""
    return over_frames(con, "plan/compare_allocation.sql", allocation_before=before, allocation_after=after)
