"""Membership plans: changes to the partnership map tried before any of them is made.

A plan is a list of changes (add or remove a member, create, rename or merge partnerships).
It never writes to the store. Its one product is the proposed roster (sql/plan/
proposed_roster.sql): the what-if figures are computed on that roster, and approving the plan
loads that roster through the ordinary roster loader, so what the Group saw is what is loaded.

The what-ifs run on a connection of their own whose temporary ``partnerships`` and
``memberships`` tables shadow the store's (sql/plan/draft_tables.sql): every existing macro,
report and the allocation then read the draft without a line of them knowing about plans.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.base import csv_out, free_text
from pipelines.base.refusals import PlanRefused
from pipelines.base.typed_values import UnreadableJson, bounded_json
from pipelines.ingest.layouts import CODE_PATTERN, MEMBER_ID_EXPECTED, PLAN_CHANGES, ROLES, is_member_id
from pipelines.store import db

# What a change may do (PLAN_CHANGES); "none" rows (a suggestion that needs a location first)
# change nothing.
CHANGES = PLAN_CHANGES
CODE = re.compile(CODE_PATTERN)
MAX_CHANGES = 500  # a plan is a meeting's worth of changes, not a new roster file
# A link's plan is read only up to this length: MAX_CHANGES changes of the longest kind (a
# rename: a code of 32 and a name of 120 characters, JSON-escaped).
MAX_LINK_CHARS = MAX_CHANGES * 1000
ROSTER_COLUMNS = ("partnership_code", "partnership_name", "member_id", "role", "joined", "left", "source")


@dataclass(frozen=True)
class PlanChange:
    """One change. ``partnership_name`` is the new name for create and rename (for add and
    remove it is only a label); ``into_code`` is where a merge goes."""

    change: str
    partnership_code: str | None = None
    member_id: int | None = None
    role: str | None = None
    partnership_name: str | None = None
    into_code: str | None = None

    def __post_init__(self) -> None:
        # A name typed on a form or in a link loses what shows nothing at its ends, as a loaded
        # cell does (pipelines/base/free_text.py); what is left inside is checked by problems().
        if self.partnership_name is not None:
            with contextlib.suppress(free_text.FreeTextRefused):
                object.__setattr__(self, "partnership_name", free_text.trim(self.partnership_name) or None)

    def problems(self) -> list[tuple[str, str | None, str]]:
        """(column, value, what was expected) for each thing wrong with the change on its own."""
        found: list[tuple[str, str | None, str]] = []
        if self.change not in CHANGES:
            return [("change", self.change, "one of " + ", ".join(CHANGES))]
        if self.change == "none":
            return []
        if not self.partnership_code or not CODE.fullmatch(self.partnership_code):
            found.append(
                (
                    "partnership_code",
                    self.partnership_code,
                    "a partnership code: letters, digits, '-' or '_', at most 32, starting with a letter or digit",
                )
            )
        if self.change in ("add", "remove") and self.member_id is None:
            found.append(("member_id", None, f"the URN or UKPRN of the member to {self.change}"))
        elif self.member_id is not None and not is_member_id(self.member_id):
            found.append(("member_id", str(self.member_id), MEMBER_ID_EXPECTED))
        if self.role is not None and self.role not in ROLES:
            found.append(("role", self.role, "full or associate (blank: full for an add, any role for a remove)"))
        if self.change in ("create", "rename") and not (self.partnership_name or "").strip():
            found.append(("partnership_name", self.partnership_name, f"the partnership's name (a {self.change} needs one)"))
        elif self.change in ("create", "rename"):
            wrong = free_text.problem(self.partnership_name, free_text.PARTNERSHIP_NAME)
            if wrong:
                found.append(("partnership_name", self.partnership_name, f"a name that can be shown as it is: {wrong}"))
        if self.change == "merge":
            if not self.into_code or not CODE.fullmatch(self.into_code):
                found.append(("into_code", self.into_code, "the code of the partnership it merges into"))
            elif self.into_code == self.partnership_code:
                found.append(("into_code", self.into_code, "another partnership (a partnership cannot merge into itself)"))
        return found

    def key(self) -> tuple:
        """Two changes with the same key are the same change written twice."""
        if self.change in ("add", "remove"):
            return (self.change, self.partnership_code, self.member_id)
        return (self.change, self.partnership_code)

    def describe(self) -> str:
        role = f" as {self.role} member" if self.role and self.change == "add" else ""
        return {
            "add": f"add {self.member_id} to {self.partnership_code}{role}",
            "remove": f"remove {self.member_id} from {self.partnership_code}",
            "create": f"create {self.partnership_code} ({self.partnership_name})",
            "rename": f"rename {self.partnership_code} to {self.partnership_name}",
            "merge": f"merge {self.partnership_code} into {self.into_code}",
            "none": "no change",
        }[self.change]


def effective(changes: Sequence[PlanChange]) -> tuple[PlanChange, ...]:
    """The changes that change something (suggestions may carry "none" rows)."""
    return tuple(c for c in changes if c.change != "none")


def shape_problems(changes: Sequence[PlanChange], labels: Sequence[str]) -> list[tuple[str, str | None, str | None, str]]:
    """(label, column, value, expected) for each change wrong on its own, and for repeats."""
    found: list[tuple[str, str | None, str | None, str]] = []
    seen: dict[tuple, str] = {}
    for change, label in zip(changes, labels, strict=True):
        wrong = change.problems()
        found.extend((label, column, value, expected) for column, value, expected in wrong)
        if change.change != "none" and not wrong:
            if change.key() in seen:
                found.append((label, None, None, f"each change once ({change.describe()} is already at {seen[change.key()]})"))
            seen.setdefault(change.key(), label)
    if len(changes) > MAX_CHANGES:
        found.append(
            (labels[MAX_CHANGES], None, str(len(changes)), f"at most {MAX_CHANGES} changes (load a roster file for more)")
        )
    return found


def in_words(label: str, column: str | None, value: str | None, expected: str) -> str:
    where = label + (f", column '{column}'" if column else "")
    return f"{where}: " + ("" if value is None else f"got {value!r}; ") + f"expected {expected}"


# --- links ---------------------------------------------------------------------------------


def to_link(changes: Sequence[PlanChange]) -> str:
    """A compact, unambiguous text for a URL: JSON, trailing empty fields dropped."""
    rows = []
    for c in effective(changes):
        row = [c.change, c.partnership_code, c.member_id, c.role, c.partnership_name, c.into_code]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False) if rows else ""


def from_link(text: str | None) -> tuple[tuple[PlanChange, ...], list[str]]:
    """Changes from a link; a link that cannot be read opens without a plan, and says so."""
    if not text:
        return (), []
    try:
        rows = bounded_json(text, MAX_LINK_CHARS, 2)  # a list of changes, each a list
    except UnreadableJson as unreadable:
        return (), [f"the link's membership plan cannot be read ({unreadable}); opening without it"]
    try:
        changes = tuple(_from_row(row) for row in rows)
    except (ValueError, TypeError):
        return (), ["the link's membership plan cannot be read (it is not a list of changes); opening without it"]
    problems = [in_words(*p) for p in shape_problems(changes, _labels(changes, None))]
    if problems:
        return (), ["the link's membership plan is not usable (" + "; ".join(problems[:3]) + "); opening without it"]
    return changes, []


def _from_row(row: list) -> PlanChange:
    if not isinstance(row, list) or not 1 <= len(row) <= 6:
        raise ValueError("not a change")
    values = [*row, *[None] * (6 - len(row))]
    member = values[2]
    if member is not None and (isinstance(member, bool) or not isinstance(member, int)):
        raise ValueError("member is not a number")
    texts = [values[i] for i in (0, 1, 3, 4, 5)]
    if any(t is not None and not isinstance(t, str) for t in texts):
        raise ValueError("not text")
    return PlanChange(values[0], values[1], member, values[3], values[4], values[5])


# --- against the store ---------------------------------------------------------------------

PLAN_FILE_SCHEMA = {
    "change": pl.String,
    "partnership_code": pl.String,
    "partnership_name": pl.String,
    "member_id": pl.Int64,
    "role": pl.String,
    "into_code": pl.String,
}


def changes_frame(changes: Sequence[PlanChange]) -> pl.DataFrame:
    """The changes in the plan file's columns (the columns that count; `plan --changes` reads it)."""
    return pl.DataFrame({name: [getattr(c, name) for c in changes] for name in PLAN_FILE_SCHEMA}, schema=PLAN_FILE_SCHEMA)


def _register(con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], labels: Sequence[str]) -> None:
    frame = changes_frame(changes).with_columns(
        pl.Series("seq", list(range(1, len(changes) + 1)), dtype=pl.Int64),
        pl.Series("row_label", list(labels), dtype=pl.String),
    )
    con.register("plan_changes", frame.to_arrow())
    con.execute(db.read_sql("plan/resolved_changes.sql"))


@contextlib.contextmanager
def _plan_cursor(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], labels: Sequence[str]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own, so the plan's temporary objects never reach the caller's."""
    cursor = con.cursor()
    try:
        _register(cursor, changes, labels)
        yield cursor
    finally:
        cursor.close()


def _store_problems(cursor: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> list[tuple[str, str | None, str | None, str]]:
    """(row label, column, value, expected) for each registered change the store cannot take on the day."""
    return [tuple(row) for row in cursor.sql(db.read_sql("plan/check_changes.sql"), params={"as_of": as_of}).fetchall()]


def _labels(changes: Sequence[PlanChange], labels: Sequence[str] | None) -> list[str]:
    return list(labels) if labels is not None else [f"change {i}" for i in range(1, len(changes) + 1)]


@contextlib.contextmanager
def _checked(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], labels: Sequence[str] | None
) -> Iterator[tuple[duckdb.DuckDBPyConnection | None, list[tuple[str, str | None, str | None, str]]]]:
    """The problems of a plan and, when each change is right on its own, a connection with the
    changes that change something registered (the store is asked only then)."""
    labels = _labels(changes, labels)
    found = shape_problems(changes, labels)
    if found:
        yield None, found
        return
    kept = [(c, label) for c, label in zip(changes, labels, strict=True) if c.change != "none"]
    with _plan_cursor(con, [c for c, _ in kept], [lb for _, lb in kept]) as cursor:
        yield cursor, found


def problems(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], as_of: dt.date | None, labels: Sequence[str] | None = None
) -> list[tuple[str, str | None, str | None, str]]:
    """(label, column, value, expected) for every change that cannot be made: wrong on its own,
    or not possible on the store on the day (checked only once each change is right on its own)."""
    with _checked(con, changes, labels) as (cursor, found):
        return found if cursor is None else _store_problems(cursor, as_of)


def already_loaded(con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], as_of: dt.date | None) -> bool:
    """Whether the loaded rosters already make every change of the plan (sql/plan/in_effect.sql):
    a draft whose roster was approved since its link was made, which then does not apply
    because it is in force, not because it is wrong."""
    with _checked(con, changes, None) as (cursor, found):
        if cursor is None or not effective(changes):
            return False
        total, in_effect = cursor.sql(db.read_sql("plan/in_effect.sql"), params={"as_of": as_of}).fetchall()[0]
        return total > 0 and in_effect == total


def _refusal(found: list[tuple[str, str | None, str | None, str]]) -> PlanRefused:
    return PlanRefused("the membership plan cannot be applied: " + "; ".join(in_words(*p) for p in found))


def check(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], as_of: dt.date | None, labels: Sequence[str] | None = None
) -> None:
    """Raise PlanRefused naming every change that cannot be made."""
    found = problems(con, changes, as_of, labels)
    if found:
        raise _refusal(found)


def proposed_roster(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], as_of: dt.date | None, labels: Sequence[str] | None = None
) -> pl.DataFrame:
    """The whole roster after the plan, in the roster loader's layout, checked first on the
    same connection (the changes are registered once for both)."""
    with _checked(con, changes, labels) as (cursor, found):
        if cursor is None:  # a change wrong on its own
            raise _refusal(found)
        found = _store_problems(cursor, as_of)
        if found:
            raise _refusal(found)
        return cursor.sql(db.read_sql("plan/proposed_roster.sql"), params={"as_of": as_of}).pl()


@contextlib.contextmanager
def draft(
    con: duckdb.DuckDBPyConnection, changes: Sequence[PlanChange], as_of: dt.date | None, roster: pl.DataFrame | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection on which the store's map is the plan's (the caller's connection when the
    plan changes nothing). Raises PlanRefused when the plan cannot be applied. ``roster``: the
    plan's proposed roster when the caller has it already (the dashboard caches it)."""
    if not effective(changes) or is_draft(con):
        yield con
        return
    if roster is None:
        roster = proposed_roster(con, changes, as_of)
    cursor = con.cursor()
    try:
        cursor.register("draft_roster", roster.to_arrow())
        cursor.execute(db.read_sql("plan/draft_tables.sql"))
        cursor.unregister("draft_roster")
        yield cursor
    finally:
        cursor.close()


def is_draft(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this connection already reads a draft map (a plan is applied once, not again
    on its own result, when one call on a draft makes another)."""
    return con.sql(db.read_sql("plan/is_draft.sql")).fetchall()[0][0]


def roster_csv(roster: pl.DataFrame) -> bytes:
    """The proposed roster as the roster loader reads it (ISO dates, blank for no date)."""
    return csv_out.frame_csv(roster.select(ROSTER_COLUMNS), date_format="%Y-%m-%d").encode("utf-8")


def changes_csv(changes: Sequence[PlanChange]) -> bytes:
    """The changes as a plan file, in the suggestions' columns, so it reopens with `plan --changes`."""
    return csv_out.frame_csv(changes_frame(changes)).encode("utf-8")
