"""Side-by-side comparison of scenarios: pure polars, so the page stays thin and the arithmetic
is tested without a browser. Differences are exact (Decimal), each against the first scenario.
Also a decision's settings against the sidebar's what-if, in words, for the Decisions page."""

from __future__ import annotations

import dataclasses
import json

import polars as pl

from dashboard.formatting import money
from pipelines.outputs import exports
from pipelines.rules import links
from pipelines.rules.allocate import AllocationSettings

DIFF = "change "  # prefix of the difference columns


def side_by_side(allocations: list[tuple[str, pl.DataFrame]]) -> pl.DataFrame:
    """One row per partnership: each scenario's amount and days per week, then each later
    scenario's difference from the first. Column names carry the scenario labels.

    A scenario's county top-slice is a line of its own (last), so each amount column adds up to
    its pot; when any scenario protects against the previous amounts, each scenario's protection
    (its amount less its plain Year 10 share) is shown too, so a difference can be read as
    formula or transition."""
    if len(allocations) < 2:
        raise ValueError("compare at least two scenarios")
    first_label = allocations[0][0]
    protected = any(
        frame["protection_effect"].drop_nulls().len() for _, frame in allocations if "protection_effect" in frame.columns
    )
    wide: pl.DataFrame | None = None
    for label, frame in allocations:
        columns = [
            pl.col("partnership_code").alias("Code"),
            pl.col("partnership_name").alias("Partnership"),
            pl.col("amount").alias(f"{label}: amount"),
            pl.col("days_per_week").alias(f"{label}: days/week"),
        ]
        if protected:
            columns.append(pl.col("protection_effect").alias(f"{label}: protection"))
        part = exports.with_top_slice(frame).select(columns)
        wide = part if wide is None else wide.join(part, on=["Code", "Partnership"], how="full", coalesce=True)
    assert wide is not None
    for label, _ in allocations[1:]:
        wide = wide.with_columns(
            (pl.col(f"{label}: amount").fill_null(0) - pl.col(f"{first_label}: amount").fill_null(0)).alias(
                f"{DIFF}{label} vs {first_label}: amount"
            ),
            (pl.col(f"{label}: days/week").fill_null(0) - pl.col(f"{first_label}: days/week").fill_null(0)).alias(
                f"{DIFF}{label} vs {first_label}: days/week"
            ),
        )
    return wide.sort(pl.col("Code") == exports.TOP_SLICE_CODE, "Code")


def differences_long(table: pl.DataFrame) -> pl.DataFrame:
    """The amount differences as (code, comparison, difference) rows, for the chart."""
    columns = [c for c in table.columns if c.startswith(DIFF) and c.endswith(": amount")]
    return table.unpivot(
        index=["Code", "Partnership"], on=columns, variable_name="comparison", value_name="difference"
    ).with_columns(
        pl.col("comparison").str.strip_prefix(DIFF).str.strip_suffix(": amount"),
        pl.col("difference").cast(pl.Float64),
    )


def differences_description(table: pl.DataFrame) -> str:
    """The difference chart's text alternative (a screen reader's name for it): for each later
    scenario, how many partnerships gain and lose against the first, and the largest gain and
    loss in pounds, from side_by_side's exact differences."""
    parts = []
    for column in [c for c in table.columns if c.startswith(DIFF) and c.endswith(": amount")]:
        rows = table.filter(pl.col("Code") != exports.TOP_SLICE_CODE).select("Code", pl.col(column).fill_null(0).alias("change"))
        gains = rows.filter(pl.col("change") > 0).sort(["change", "Code"], descending=[True, False])
        losses = rows.filter(pl.col("change") < 0).sort(["change", "Code"])
        said = (
            f"{gains.height} partnership{' gains' if gains.height == 1 else 's gain'} and "
            f"{losses.height or 'none'} lose{'s' if losses.height < 2 else ''}"
        )
        if gains.height:
            said += f"; the largest increase {gains['Code'][0]} +{money(gains['change'][0])}"
        if losses.height:
            said += f"; the largest decrease {losses['Code'][0]} {money(losses['change'][0])}"
        parts.append(f"{column.removeprefix(DIFF).removesuffix(': amount')}: {said}.")
    return " ".join(["Bar chart of each partnership's change in pounds against the first scenario.", *parts])


def decided_settings(record: dict) -> AllocationSettings:
    """A decision's settings as approved (its scenario's link), on the census and day it used."""
    chosen, _ = links.from_query(json.loads(record["query_json"]))
    return dataclasses.replace(chosen, census_date=record["census_date"], as_of=record["as_of"])


def sidebar_differences(decided: AllocationSettings, sidebar: AllocationSettings) -> list[tuple[str, str, str]]:
    """(setting, the decision's value, the sidebar's) for each setting, in words, that differs. A
    census or day the sidebar leaves to the default is not a difference: the decision names them.
    Both are read through a link first, so the same value typed two ways (39 and 39.00 weeks)
    reads the same."""
    sidebar = dataclasses.replace(
        sidebar, census_date=sidebar.census_date or decided.census_date, as_of=sidebar.as_of or decided.as_of
    )
    theirs = dict(_as_linked(sidebar).describe())
    return [(name, ours, theirs[name]) for name, ours in _as_linked(decided).describe() if theirs[name] != ours]


def _as_linked(chosen: AllocationSettings) -> AllocationSettings:
    return links.from_query(links.to_query(chosen))[0]


def sidebar_note(decided: AllocationSettings, sidebar: AllocationSettings) -> str | None:
    """Said beside a decision when the sidebar's what-if is another scenario, so its pot is not
    read as the decision's; None when they are the same."""
    found = sidebar_differences(decided, sidebar)
    if not found:
        return None
    shared = f"This decision shared {money(decided.total)}"
    if decided.total != sidebar.total:
        note = f"{shared}; the sidebar's what-if is {money(sidebar.total)} and is not this decision."
    else:
        note = f"{shared}, as the sidebar's what-if does, but the what-if is not this decision."
    pot = decided.describe()[0][0]  # the settings in words start with the pot, said above
    others = [f"{name}: {ours} here, {theirs} in the sidebar" for name, ours, theirs in found if name != pot]
    return note + (f" It also differs in: {'; '.join(others)}." if others else "")


def headings(labels: list[str]) -> dict[str, tuple[str, str]]:
    """Short headings for side_by_side's columns, so the amounts of three scenarios fit a
    projector at 1280 px: "#2 (£)" for a scenario labelled "#2 £550k, pending funded", with the
    whole name in the help. A label's first word is its number; the order puts the amounts
    first, then their differences, then protection and days per week."""
    first = labels[0]
    short = {label: label.split(" ", 1)[0] for label in labels}
    named: dict[str, tuple[str, str]] = {}
    # (measure, heading after the label, help before it, whether differences follow)
    measures = [
        ("amount", "(£)", "Amount", "the amount"),
        ("protection", "protection (£)", "Transition protection (amount less Year 10 share)", None),
        ("days/week", "days/wk", "Manager days per week", "days per week"),
    ]
    for measure, heading, meaning, change in measures:
        for label in labels:
            named[f"{label}: {measure}"] = (f"{short[label]} {heading}", f"{meaning}: {label}")
        for label in labels[1:] if change else []:
            named[f"{DIFF}{label} vs {first}: {measure}"] = (
                f"{short[label]} vs {short[first]} {heading}",
                f"Change in {change}: {label} less {first}",
            )
    return named
