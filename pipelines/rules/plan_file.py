"""A membership plan as a file (the suggestions' columns), read with the loaders' readers and
checks, and a plan made real: its proposed roster loaded through the roster loader.

Reading reports every problem with file, row, column, value and what was expected, as a load
does; nothing is written. Loading takes the writer lock before the roster is worked out, so
the roster loaded is the plan applied to the store as it is at that moment, not as it was
when the plan was last looked at."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines.base import free_text
from pipelines.ingest import load
from pipelines.ingest.problems import Problem, Report
from pipelines.ingest.raw_table import ROW
from pipelines.ingest.readers import read_table
from pipelines.ingest.validate import validate_table
from pipelines.rules import plan
from pipelines.store import db


def read_changes(name: str, data: bytes) -> tuple[tuple[plan.PlanChange, ...], list[str], Report]:
    """The changes, their row labels ("row 4") and the report (changes empty when it has errors)."""
    raw = read_table(name, data, sheet_hint="plan")
    report, layout, typed = validate_table("plan", raw, name)
    if typed is None or layout is None or not report.ok:
        return (), [], report
    changes = tuple(
        plan.PlanChange(
            r["change"], r["partnership_code"], r["member_id"], r["role"], _text(r["partnership_name"]), r["into_code"]
        )
        for r in typed.iter_rows(named=True)
    )
    rows = typed[ROW].to_list()
    labels = [f"row {row}" for row in rows]
    for label, column, value, expected in plan.shape_problems(changes, labels):
        report.add(Problem(name, int(label.removeprefix("row ")), column, value, expected, "error", "value"))
    return (changes if report.ok else ()), labels, report


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def check_against_store(
    con: duckdb.DuckDBPyConnection,
    changes: Sequence[plan.PlanChange],
    labels: Sequence[str],
    as_of: dt.date | None,
    report: Report,
) -> None:
    """Add to the report what the store cannot take (unknown institution or partnership, a
    member to remove that is not there ...), each naming its row."""
    for label, column, value, expected in plan.problems(con, changes, as_of, labels):
        report.add(Problem(report.file, int(label.removeprefix("row ")), column, value, expected, "error", "member"))


def roster_file_name(changes: Sequence[plan.PlanChange], as_of: dt.date) -> str:
    """Names the plan by its content, so the load log tells plans apart."""
    digest = hashlib.sha256(plan.to_link(changes).encode()).hexdigest()[:8]
    return f"plan-roster-{as_of:%Y%m%d}-{digest}.csv"


def load_plan(db_path: Path | str, changes: Sequence[plan.PlanChange], as_of: dt.date | None, actor: str) -> load.LoadResult:
    """Make the plan real: its roster, worked out under the writer lock, goes through the
    roster loader's checks, load log and audit log. Raises PlanRefused when the plan no longer
    fits the store, ValidationFailed when the roster does not load (nothing changed either way)."""
    db_path = Path(db_path)
    actor = free_text.clean(actor, free_text.PLAN_APPROVER, required=False) or ""  # blank: this computer's user
    if not plan.effective(changes):
        raise plan.PlanRefused("the plan changes nothing")
    with db.writer_lock(db_path):
        con = db.connect_read_only(db_path)
        try:
            day = con.sql(db.read_sql("reports/effective_as_of.sql"), params={"as_of": as_of}).fetchall()[0][0]
            roster = plan.proposed_roster(con, changes, as_of)
        finally:
            con.close()
        upload = load.Upload("roster", roster_file_name(changes, day), plan.roster_csv(roster), actor)
        return load.load_locked(upload, db_path)


def current_roster(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> pl.DataFrame:
    """The store's whole roster in the loader's layout (a plan of no changes)."""
    return plan.proposed_roster(con, (), as_of)
