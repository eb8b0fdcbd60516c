"""The Plan page's tables from the suggestions and the draft, in plain polars so the page stays
thin and the grouping is tested without a browser."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.rules.plan import PlanChange


@dataclass(frozen=True)
class Alternative:
    """One way to close one gap: the changes it takes and a short label for its button."""

    key: str
    rank: int
    label: str
    reason: str
    changes: tuple[PlanChange, ...]


@dataclass(frozen=True)
class Gap:
    key: str
    code: str
    subject: str
    alternatives: tuple[Alternative, ...]


def _change(row: dict) -> PlanChange:
    return PlanChange(row["change"], row["partnership_code"], row["member_id"], row["role"])


def _label(rows: list[dict]) -> str:
    """A button's words: what the alternative does, in the Group's terms."""
    first = rows[0]
    adds = [r for r in rows if r["change"] == "add"]
    removes = [r for r in rows if r["change"] == "remove"]
    km = next((r["distance_km"] for r in adds if r["distance_km"] is not None), None)
    far = f" · {km:.1f} km" if km is not None else ""
    if first["change"] == "none":
        return "Needs a location first"
    if first["gap_code"] == "partnership_no_college":
        return f"Bring in {adds[0]['member_name']}{far}"
    if first["gap_code"] == "member_out_of_scope":
        return "Make it an associate member"
    if adds and removes and {r["partnership_code"] for r in removes} == {adds[0]["partnership_code"]}:
        return f"Make it a full member of {adds[0]['partnership_name']}{far}"
    if adds and removes:
        return f"Move to {adds[0]['partnership_name']}{far}"
    if adds:
        return f"Join {adds[0]['partnership_name']}{far}"
    if first["gap_code"] == "school_multiple":
        return "Leave " + ", ".join(r["partnership_code"] for r in removes)
    return f"Take off the roster of {removes[0]['partnership_code']}"


def gaps_with_alternatives(suggestions: pl.DataFrame) -> list[Gap]:
    """The suggestions grouped by gap, alternatives best first (the SQL's order is kept)."""
    gaps: dict[str, dict] = {}
    for row in suggestions.iter_rows(named=True):
        key = f"{row['gap_code']}|{row['gap_partnership_code'] or ''}|{row['gap_institution_id'] or ''}"
        gap = gaps.setdefault(key, {"code": row["gap_code"], "subject": _subject(row), "ranks": {}})
        gap["ranks"].setdefault(row["rank"], []).append(row)
    return [
        Gap(
            key,
            g["code"],
            g["subject"],
            tuple(
                Alternative(
                    f"{key}|{rank}",
                    rank,
                    _label(rows),
                    rows[0]["reason"],
                    tuple(_change(r) for r in rows if r["change"] != "none"),
                )
                for rank, rows in sorted(g["ranks"].items())
            ),
        )
        for key, g in gaps.items()
    ]


def _subject(row: dict) -> str:
    if row["gap_code"] == "partnership_no_college":
        return f"{row['partnership_name']} ({row['gap_partnership_code']})"
    name = row["member_name"] or str(row["gap_institution_id"])
    where = f", {row['gap_partnership_code']}" if row["gap_partnership_code"] else ""
    return f"{name} ({row['gap_institution_id']}{where})"


def with_changes(draft: tuple[PlanChange, ...], more: tuple[PlanChange, ...]) -> tuple[PlanChange, ...]:
    """The draft and more changes, each change once (two gaps may ask for the same removal)."""
    seen = {c.key() for c in draft}
    added = []
    for change in more:
        if change.key() not in seen:
            seen.add(change.key())
            added.append(change)
    return (*draft, *added)


def draft_table(draft: tuple[PlanChange, ...], names: dict[int, str], partnerships: dict[str, str]) -> pl.DataFrame:
    """The draft's changes in words, with the names the Group knows them by."""
    return pl.DataFrame(
        {
            "#": list(range(1, len(draft) + 1)),
            "Change": [c.change for c in draft],
            "Partnership": [_partnership(c.partnership_code, partnerships) for c in draft],
            "Member": [f"{names.get(c.member_id, 'unknown')} ({c.member_id})" if c.member_id is not None else "" for c in draft],
            "Role": [c.role or ("full" if c.change == "add" else "") for c in draft],
            "New name / into": [
                c.partnership_name
                if c.change in ("create", "rename")
                else _partnership(c.into_code, partnerships)
                if c.change == "merge"
                else ""
                for c in draft
            ],
        },
        schema={
            "#": pl.Int64,
            "Change": pl.String,
            "Partnership": pl.String,
            "Member": pl.String,
            "Role": pl.String,
            "New name / into": pl.String,
        },
    )


def _partnership(code: str | None, partnerships: dict[str, str]) -> str:
    if not code:
        return ""
    return f"{code} — {partnerships[code]}" if code in partnerships else code
