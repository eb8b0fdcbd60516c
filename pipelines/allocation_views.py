"""What an officer reads beside a split: each line's change against a baseline, and the money
by district. Worked out in SQL over the split already made (so they match it to the penny), for
the dashboard and any later command alike."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl

from pipelines import config, db, plan


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


def by_district(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    changes: tuple[plan.PlanChange, ...] = (),
    roster: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """line (district, top_slice, total), district, year10, amount, per_year10, partnerships: on
    the map, day and census the split was made on (its plan's draft map, if it has one)."""
    as_of, census_date = (frame["as_of"][0], frame["census_date"][0]) if frame.height else (None, None)
    with plan.draft(con, changes, as_of, roster) as on_map:
        return _over(
            on_map,
            "reports/allocation_by_district.sql",
            {"as_of": as_of, "census_date": census_date, "top_slice_name": config.TOP_SLICE_NAME},
            allocation_rows=frame.select("partnership_code", "funded", "amount", "top_slice"),
        )
