"""A plain polars implementation of the allocation's common case, as a floor for the SQL macro
(sql/macros/050_allocation.sql): accredited partnerships on a day share a pot by Year 10 on a
named census, a school in k partnerships counting 1/k in each, whole pounds by largest remainder
(ties to the lower code), no lump sum and no lever. Its tables are read into memory once,
outside the timing, so the figure is the arithmetic alone. It is not the product's rule, only
what the same arithmetic costs in a dataframe library; bench_allocation.py checks that it gives
the macro's amounts to the penny before timing either.

A deliberate frozen floor for the benchmark, not a second home for the rule: the rule lives
in sql/macros/050_allocation.sql, and a change to it is made there, never here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import reduce

import duckdb
import polars as pl

TABLES = {
    "memberships": "SELECT partnership_code, institution_id, role, joined_on, left_on FROM memberships",
    "partnerships": "SELECT partnership_code FROM partnerships",
    "institutions": "SELECT institution_id, kind, status, opened_on, closed_on FROM institutions",
    "decisions": "SELECT partnership_code, decided_on, status FROM accreditation_decisions",
    "census": "SELECT urn AS institution_id, census_date, headcount FROM census_rolls WHERE nc_year = 10",
}


@dataclass(frozen=True)
class Tables:
    memberships: pl.DataFrame
    partnerships: pl.DataFrame
    institutions: pl.DataFrame
    decisions: pl.DataFrame
    census: pl.DataFrame


def read_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    return Tables(**{name: con.sql(query).pl() for name, query in TABLES.items()})


def allocate(tables: Tables, total_pounds: int, as_of: dt.date, census_date: dt.date) -> pl.DataFrame:
    """Amount in whole pounds per partnership on the day (0 for those not funded)."""
    in_force = tables.memberships.filter(
        (pl.col("joined_on") <= as_of) & (pl.col("left_on").is_null() | (pl.col("left_on") >= as_of))
    )
    ended = tables.memberships.group_by("partnership_code").agg(
        (pl.col("left_on").is_not_null() & (pl.col("left_on") < as_of)).all().alias("all_left")
    )
    existing = (
        tables.partnerships.join(ended, on="partnership_code", how="left")
        .filter(pl.col("all_left").is_null() | ~pl.col("all_left"))
        .select("partnership_code")
    )
    latest = (
        tables.decisions.filter(pl.col("decided_on") <= as_of)
        .sort("decided_on", descending=True)
        .group_by("partnership_code", maintain_order=True)
        .first()
    )
    funded = existing.join(latest, on="partnership_code", how="left").with_columns(
        (pl.col("status") == "accredited").fill_null(False).alias("funded")
    )
    open_schools = tables.institutions.filter(
        pl.col("kind").is_in(["high_school", "special_school", "pru"])
        & (pl.col("closed_on") > as_of).fill_null(pl.col("status") != "closed")
        & (pl.col("opened_on") <= as_of).fill_null(pl.col("status") != "proposed_to_open")
    )
    full = in_force.filter(pl.col("role") == "full").join(open_schools, on="institution_id")
    full = full.with_columns(pl.col("partnership_code").n_unique().over("institution_id").alias("k"))
    year10 = tables.census.filter(pl.col("census_date") == census_date).select("institution_id", "headcount")
    counted = full.filter(pl.col("kind").is_in(["high_school", "special_school"])).join(year10, on="institution_id")
    d = reduce(math.lcm, counted["k"].unique().to_list(), 1)
    proxy = counted.group_by("partnership_code").agg((pl.col("headcount") * (d // pl.col("k"))).sum().alias("y"))
    base = (
        funded.join(proxy, on="partnership_code", how="left")
        .with_columns(pl.when(pl.col("funded")).then(pl.col("y").fill_null(0)).otherwise(0).alias("y"))
        .sort("partnership_code")
    )
    y_total = int(base["y"].sum())
    shares = base.with_columns(
        (pl.col("y") * total_pounds // y_total).alias("floor"), (pl.col("y") * total_pounds % y_total).alias("remainder")
    )
    left = total_pounds - int(shares["floor"].sum())
    order = shares.select(
        "partnership_code",
        pl.struct(pl.col("funded").not_(), -pl.col("remainder"), "partnership_code").rank("ordinal").alias("place"),
    )
    return shares.join(order, on="partnership_code").select(
        "partnership_code",
        (pl.col("floor") + (pl.col("place") <= left).cast(pl.Int64)).alias("amount"),
    )
