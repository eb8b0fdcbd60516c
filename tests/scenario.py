"""Build small stores straight from Python values, for allocation arithmetic and property
tests where going through files for every generated example would be too slow. The data is
synthetic (URNs from 100000)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipelines import db

CENSUS = dt.date(2025, 1, 16)
AS_OF = dt.date(2025, 9, 1)
DECIDED = dt.date(2025, 6, 1)
TABLES = ("institutions", "census_rolls", "partnerships", "memberships", "accreditation_decisions",
          "health_check_results", "previous_allocations")


@dataclass
class Member:
    id: int
    kind: str = "high_school"
    year10: int | None = 0
    role: str = "full"


@dataclass
class Scenario:
    """partnerships: code -> members; status: code -> accreditation status (absent: none)."""

    partnerships: dict[str, list[Member]]
    status: dict[str, str] = field(default_factory=dict)
    previous: dict[str, str] = field(default_factory=dict)


def empty_store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    db.apply_sql(con)
    return con


def fill(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> duckdb.DuckDBPyConnection:
    """Replace the store's contents with the scenario."""
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")
    seen: set[int] = set()
    for code, members in scenario.partnerships.items():
        con.execute("INSERT INTO partnerships VALUES (?, ?, 'test')", [code, f"Partnership {code}"])
        for m in members:
            if m.id not in seen:
                seen.add(m.id)
                urn, ukprn = (m.id, None) if m.id < 1_000_000 else (None, m.id)
                con.execute(
                    "INSERT INTO institutions (institution_id, urn, ukprn, name, kind, status, latitude, longitude)"
                    " VALUES (?, ?, ?, ?, ?, 'open', 52.6, 1.2)",
                    [m.id, urn, ukprn, f"Institution {m.id}", m.kind],
                )
                if m.year10 is not None and urn is not None:
                    con.execute("INSERT INTO census_rolls VALUES (?, ?, 10, ?, 'test')", [m.id, CENSUS, m.year10])
            con.execute(
                "INSERT INTO memberships VALUES (?, ?, ?, DATE '2009-09-01', NULL, 'test')", [code, m.id, m.role]
            )
    for code, status in scenario.status.items():
        con.execute("INSERT INTO accreditation_decisions VALUES (?, ?, ?, NULL, 'test')", [code, status, DECIDED])
    for code, amount in scenario.previous.items():
        con.execute("INSERT INTO previous_allocations VALUES (?, ?, 'test')", [code, amount])
    return con


def accredited(partnerships: dict[str, list[Member]]) -> Scenario:
    return Scenario(partnerships, {code: "accredited" for code in partnerships})
