"""What-if settings <-> URL query parameters, so a scenario can be shared as a link and
reopened exactly. Pure functions: the pages do the Streamlit part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from pipelines.base import clock, config
from pipelines.base.money import pounds
from pipelines.base.typed_values import RECORD_ID_RANGE, shown, whole_number
from pipelines.rules import plan
from pipelines.rules.allocate import AllocationRefused, AllocationSettings
from pipelines.rules.plan import CODE

# query parameter -> what it holds
KEYS = (
    "total",
    "lump",
    "unit",
    "census",
    "pending",
    "rate",
    "weeks",
    "treat",
    "asof",
    "missing",
    "plan",
    "slice",
    "slicepct",
    "loss",
    "gain",
    "manager",
)
# query parameter -> the funding lever it holds (absent: the lever is off)
LEVERS = {"slicepct": "top_slice_pct", "loss": "protect_loss", "gain": "protect_gain", "manager": "manager_cost"}


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def from_query(params: Mapping[str, str]) -> tuple[AllocationSettings, list[str]]:
    """Settings from a link; a value that cannot be used falls back to its default and is
    reported, so a mangled link still opens."""
    problems: list[str] = []
    # The link's text as found, each read below as the settings read it.
    values: dict[str, Any] = {
        "total": params.get("total", str(config.DEFAULT_TOTAL)),
        "lump_sum": params.get("lump") or "0",  # blank is none, as for every lever
        "unit": params.get("unit", "1"),
        "census_date": _date(params.get("census")),
        "include_pending": params.get("pending", "0") in ("1", "true", "yes"),
        "day_rate": params.get("rate", str(config.DEFAULT_DAY_RATE)),
        "weeks_per_year": params.get("weeks", str(config.DEFAULT_WEEKS_PER_YEAR)),
        "as_of": _date(params.get("asof")),
        "treat_as_accredited": tuple(c for c in params.get("treat", "").split(",") if c),
        "accept_missing_census": params.get("missing", "0") in ("1", "true", "yes"),
    }
    values["top_slice"] = params.get("slice") or "0"
    for key, name in LEVERS.items():
        values[name] = params.get(key) or None
    defaults = AllocationSettings(total=Decimal(config.DEFAULT_TOTAL))
    # Each value is read as the settings read it (and kept so read); one that cannot be used
    # falls back: a base setting to its default, a lever to off.
    for name in ("total", "lump_sum", "unit", "day_rate", "weeks_per_year", "top_slice", *LEVERS.values()):
        if values[name] is None:
            continue
        try:
            values[name] = getattr(AllocationSettings(**{**_plain(defaults), name: values[name]}), name)
        except AllocationRefused:
            fallback = "leaving it off" if name in ("top_slice", *LEVERS.values()) else "using the default"
            problems.append(f"the link's {name.replace('_', ' ')} {shown(values[name])} is not usable; {fallback}")
            values[name] = getattr(defaults, name)
    for key, name in (("census", "census_date"), ("asof", "as_of")):
        if params.get(key) and values[name] is None:
            problems.append(f"the link's {key} {shown(params[key])} is not a date (YYYY-MM-DD); using the default")
    codes = values["treat_as_accredited"]
    values["treat_as_accredited"] = tuple(c for c in codes if CODE.fullmatch(c))
    if len(values["treat_as_accredited"]) < len(codes):
        unusable = ",".join(c for c in codes if not CODE.fullmatch(c))
        problems.append(f"the link's treat {shown(unusable)} is not a list of partnership codes; leaving those out")
    if values["top_slice_pct"] is not None and values["top_slice"]:
        problems.append("the link gives the top-slice both as an amount and as a percentage; using the amount")
        values["top_slice_pct"] = None
    changes, plan_problems = plan.from_link(params.get("plan"))
    return AllocationSettings(**values, changes=changes), problems + plan_problems


def record_ids(text: str | None, known: Collection[int], what: str, most: int) -> tuple[list[int], list[str]]:
    """The saved records a link names by number (``d=3``, ``compare=1,2``): those there are, in
    the link's order, at most ``most``; and for each part that is not one, why, in words."""
    found: list[int] = []
    problems: list[str] = []
    for part in (text or "").split(","):
        number = whole_number(part, *RECORD_ID_RANGE)
        if not part.strip():
            continue
        if number is None:
            problems.append(f"{shown(part.strip())} is not a {what}'s number")
        elif number not in known:
            problems.append(f"there is no {what} {number}")
        elif number not in found:
            found.append(number)
    if len(found) > most:
        problems.append(f"at most {most} {what}{'s are' if most > 1 else ' is'} shown")
    return found[:most], problems


def _plain(chosen: AllocationSettings) -> dict:
    return {name: getattr(chosen, name) for name in AllocationSettings.__dataclass_fields__}


def to_query(chosen: AllocationSettings) -> dict[str, str]:
    """Only what differs from the defaults, so links stay short."""
    query = {"total": _number(chosen.total)}
    if chosen.lump_sum:
        query["lump"] = _number(chosen.lump_sum)
    if chosen.unit != 1:
        query["unit"] = str(chosen.unit)
    if chosen.census_date:
        query["census"] = chosen.census_date.isoformat()
    if chosen.include_pending:
        query["pending"] = "1"
    if chosen.day_rate != config.DEFAULT_DAY_RATE:
        query["rate"] = _number(chosen.day_rate)
    if chosen.weeks_per_year != config.DEFAULT_WEEKS_PER_YEAR:
        query["weeks"] = _number(chosen.weeks_per_year)
    if chosen.treat_as_accredited:
        query["treat"] = ",".join(chosen.treat_as_accredited)
    if chosen.as_of:
        query["asof"] = chosen.as_of.isoformat()
    if chosen.accept_missing_census:
        query["missing"] = "1"
    if chosen.changes:
        query["plan"] = plan.to_link(chosen.changes)
    if chosen.top_slice:
        query["slice"] = _number(chosen.top_slice)
    for key, name in LEVERS.items():
        value = getattr(chosen, name)
        if value is not None:
            query[key] = _number(value)
    return query


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return text[:-3] if text.endswith(".00") else text


def summary(chosen: AllocationSettings) -> str:
    """The settings in one line, for lists of scenarios, in GOV.UK style: whole pounds without
    pence ("£500,000"), "£300 a day", "39 weeks"."""
    parts = [f"{pounds(chosen.total, pence=False)} pot"]
    if chosen.lump_sum:
        parts.append(f"{pounds(chosen.lump_sum, pence=False)} lump sum")
    parts.append("rounded to £1" if chosen.unit == 1 else "rounded to 1p")
    if chosen.census_date:
        parts.append(f"census {clock.day_text(chosen.census_date)}")
    if chosen.include_pending:
        parts.append("pending funded")
    if chosen.treat_as_accredited:
        parts.append("treated as accredited: " + ", ".join(chosen.treat_as_accredited))
    if chosen.top_slice or chosen.top_slice_pct is not None:
        parts.append(
            f"county top-slice {chosen.top_slice_pct}%"
            if chosen.top_slice_pct is not None
            else f"county top-slice {pounds(chosen.top_slice, pence=False)}"
        )
    if chosen.protect_loss is not None:
        parts.append(f"loss limited to {chosen.protect_loss}%")
    if chosen.protect_gain is not None:
        parts.append(f"gain limited to {chosen.protect_gain}%")
    if chosen.manager_cost is not None:
        parts.append(f"manager {pounds(chosen.manager_cost, pence=False)} a year")
    else:
        parts.append(f"{pounds(chosen.day_rate, pence=False)} a day × {_number(chosen.weeks_per_year)} weeks")
    if chosen.as_of:
        parts.append(f"as of {clock.day_text(chosen.as_of)}")
    if chosen.accept_missing_census:
        parts.append("schools missing from the census accepted")
    if chosen.changes:
        count = len(chosen.changes)
        parts.append(f"draft membership plan of {count} change{'s' if count != 1 else ''}")
    return "; ".join(parts)
