"""Side-by-side comparison of scenarios: pure polars, so the page stays thin and the arithmetic
is tested without a browser. Differences are exact (Decimal), each against the first scenario."""

from __future__ import annotations

import polars as pl

from pipelines import exports

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
