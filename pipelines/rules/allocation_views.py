"""What an officer reads beside a split: each line's change against a baseline, and the money
by district. Worked out in SQL over the split already made (so they match it to the penny), for
the dashboard and any later command alike."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl

from pipelines.base import config
from pipelines.store import db


def _over(con: duckdb.DuckDBPyConnection, sql: str, params: dict, **frames: pl.DataFrame) -> pl.DataFrame:
    cursor = con.cursor()
    try:
        for name, frame in frames.items():
            cursor.register(name, frame.to_arrow())
        return cursor.sql(db.read_sql(sql), params=params).pl()
    finally:
        cursor.close()


def against_baseline(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, baseline: pl.DataFrame, baseline_top_slice: Decimal | None
) -> pl.DataFrame:
    """line (partnership, top_slice, total), partnership_code, baseline_amount, change."""
    return _over(
        con,
        "reports/allocation_vs_baseline.sql",
        {"top_slice_code": config.TOP_SLICE_CODE, "baseline_top_slice": baseline_top_slice or Decimal(0)},
        allocation_rows=frame.select("partnership_code", "amount", "top_slice"),
        baseline_rows=baseline.select("partnership_code", "amount"),
    )


def by_district(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, attribution: pl.DataFrame) -> pl.DataFrame:
    """line (district, top_slice, total), district, year10, amount, per_year10, partnerships.
    ``attribution``: the year10_attribution rows of the day, census and map the split was made on."""
    return _over(
        con,
        "reports/allocation_by_district.sql",
        {"top_slice_name": config.TOP_SLICE_NAME},
        allocation_rows=frame.select("partnership_code", "funded", "amount", "top_slice"),
        attribution_rows=attribution.select("partnership_code", "district", "counted", "counted_headcount", "partnerships"),
    )
