"""Build small stores straight from Python values, for allocation arithmetic and property
tests where going through files for every generated example would be too slow. The data is
synthetic (URNs from 100000)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipelines.store import db

CENSUS = dt.date(2025, 1, 16)
AS_OF = dt.date(2025, 9, 1)
DECIDED = dt.date(2025, 6, 1)
TABLES = (
    "institutions",
    "census_rolls",
    "partnerships",
    "memberships",
    "accreditation_decisions",
    "health_check_results",
    "previous_allocations",
)


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
    """Replace the store's contents with the scenario (one bulk insert per table)."""
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")
    institutions: dict[int, Member] = {}
    memberships = []
    for code, members in scenario.partnerships.items():
        for m in members:
            institutions.setdefault(m.id, m)
            memberships.append((code, m.id, m.role))
    rows = {
        "partnerships": pl.DataFrame({"code": list(scenario.partnerships)}, schema={"code": pl.String}),
        "institutions": pl.DataFrame(
            {"id": list(institutions), "kind": [m.kind for m in institutions.values()]},
            schema={"id": pl.Int64, "kind": pl.String},
        ),
        "census": pl.DataFrame(
            {
                "urn": [m.id for m in institutions.values() if m.year10 is not None and m.id < 1_000_000],
                "headcount": [m.year10 for m in institutions.values() if m.year10 is not None and m.id < 1_000_000],
            },
            schema={"urn": pl.Int64, "headcount": pl.Int64},
        ),
        "memberships": pl.DataFrame(memberships, schema={"code": pl.String, "id": pl.Int64, "role": pl.String}, orient="row"),
        "decisions": pl.DataFrame(list(scenario.status.items()), schema={"code": pl.String, "status": pl.String}, orient="row"),
        "previous": pl.DataFrame(list(scenario.previous.items()), schema={"code": pl.String, "amount": pl.String}, orient="row"),
    }
    for name, frame in rows.items():
        con.register(f"new_{name}", frame)
    con.execute(f"""
        INSERT INTO partnerships SELECT code, 'Partnership ' || code, 'test' FROM new_partnerships;
        INSERT INTO institutions (institution_id, urn, ukprn, name, kind, status, latitude, longitude)
            SELECT id, CASE WHEN id < 1000000 THEN id END, CASE WHEN id >= 1000000 THEN id END,
                   'Institution ' || id, kind, 'open', 52.6, 1.2
            FROM new_institutions;
        INSERT INTO census_rolls SELECT urn, DATE '{CENSUS}', 10, headcount, 'test' FROM new_census;
        INSERT INTO memberships SELECT code, id, role, DATE '2009-09-01', NULL, 'test' FROM new_memberships;
        INSERT INTO accreditation_decisions SELECT code, status, DATE '{DECIDED}', NULL, 'test' FROM new_decisions;
        INSERT INTO previous_allocations SELECT code, amount::DECIMAL(18, 2), 'test' FROM new_previous;
    """)
    for name in rows:
        con.unregister(f"new_{name}")
    return con


def accredited(partnerships: dict[str, list[Member]]) -> Scenario:
    return Scenario(partnerships, {code: "accredited" for code in partnerships})
