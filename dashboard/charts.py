"""Altair charts. Colours come from the Okabe-Ito palette, which stays distinct for the common
forms of colour blindness; every chart also carries its numbers in the tooltip and the page
puts a table beside it."""

from __future__ import annotations

import copy
import functools
from decimal import Decimal

import altair as alt
import polars as pl

from dashboard.formatting import money
from pipelines.base import clock
from pipelines.base.money import D3_LOCALE
from pipelines.outputs.exports import TOP_SLICE_CODE, TOP_SLICE_NAME
from pipelines.outputs.maps import wrapped_label

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
PICK = "pick"  # the allocation chart's click selection, read back by the page as the partnership picked
FUNDED_COLOURS = alt.Scale(domain=["funded", "not funded", "county top-slice"], range=["#0072B2", "#BBBBBB", "#E69F00"])


def partnership_label(code: pl.Expr, name: pl.Expr) -> pl.Expr:
    """How a partnership is named on charts and legends: the code people file by and the name
    they know."""
    return pl.concat_str([code, pl.lit(" — "), name])


def allocation_description(summary: dict, total: Decimal, pence: bool = False) -> str:
    """The allocation chart's text alternative (a screen reader's name for it): the pot, how
    many partnerships share it and who gets most and least, from the allocation's summary
    (sql/reports/allocation_summary.sql)."""
    funded, unfunded = summary["funded"], summary["unfunded"]
    parts = [
        f"Bar chart of the {money(total, pence)} pot shared by Year 10 "
        f"(census {clock.day_text(summary['census_date'], 'not known')}) between {funded} funded "
        f"partnership{'' if funded == 1 else 's'}"
    ]
    if funded:
        parts[0] += f": the largest share {summary['largest_partnership']} {money(summary['largest'], pence)}"
        if funded > 1:
            parts[0] += f", the smallest {summary['smallest_partnership']} {money(summary['smallest'], pence)}"
    parts[0] += "."
    if unfunded:
        one = unfunded == 1
        parts.append(f"{unfunded} partnership{' is' if one else 's are'} not funded and get{'s' if one else ''} {money(0)}.")
    if summary["top_slice"]:
        parts.append(f"The county's top-slice, {money(summary['top_slice'], pence)}, is a bar of its own.")
    parts.append("Orange ticks mark each partnership's previous amount (2008/9 basis).")
    return " ".join(parts)


def allocation_bars(frame: pl.DataFrame, pence: bool = False, top_slice=None, description: str | None = None) -> dict:
    """Amount per partnership with every bar labelled (code and name on the axis, the amount at
    the bar's end), the previous amount as a tick for the comparison. ``description``: the
    chart's text alternative (allocation_description).

    A Vega-Lite spec: the chart's shape is built and checked by Altair once per rounding unit,
    and each rerun only puts in the rows (Altair's checks took a third of a rerun)."""
    data = frame.select(
        pl.int_range(pl.len()).alias("order"),  # by code, as the table
        pl.col("partnership_code").alias("code"),
        partnership_label(pl.col("partnership_code"), pl.col("partnership_name")).alias("partnership"),
        pl.col("amount").cast(pl.Float64),
        pl.col("previous_amount").cast(pl.Float64).alias("previous"),
        pl.col("year10").cast(pl.Float64),
        pl.when(pl.col("funded")).then(pl.lit("funded")).otherwise(pl.lit("not funded")).alias("status"),
        pl.Series(
            "label",
            [
                money(v, pence) if funded else f"{money(v, pence)}: not funded"
                for v, funded in zip(frame["amount"], frame["funded"], strict=True)
            ],
            dtype=pl.String,
        ),
    )
    rows = data.to_dicts()
    if top_slice:  # the county's share is its own bar, last, so the bars add up to the pot
        rows.append(
            {
                "order": len(rows),
                "code": TOP_SLICE_CODE,
                "partnership": f"{TOP_SLICE_CODE} — {TOP_SLICE_NAME[0].lower()}{TOP_SLICE_NAME[1:]}",
                "amount": float(top_slice),
                "previous": None,
                "year10": None,
                "status": "county top-slice",
                "label": money(top_slice, pence),
            }
        )
    spec = copy.deepcopy(_allocation_template(pence))
    spec["datasets"] = {"rows": rows}
    if description:
        spec["description"] = description
    return spec


@functools.lru_cache(maxsize=2)
def _allocation_template(pence: bool) -> dict:
    money_format = ",.2f" if pence else ",.0f"
    tooltip = [
        alt.Tooltip("partnership:N", title="Partnership"),
        alt.Tooltip("amount:Q", title="Amount (£)", format=money_format),
        alt.Tooltip("previous:Q", title="Previous (£)", format=money_format),
        alt.Tooltip("year10:Q", title="Year 10", format=",.1f"),
        alt.Tooltip("status:N", title="Status"),
    ]
    y = alt.Y(
        "partnership:N",
        sort=alt.EncodingSortField(field="order", op="min"),
        title=None,
        # A long name goes onto a second line rather than being cut short.
        axis=alt.Axis(labelOverlap=False, labelLimit=440, labelFontSize=13, labelLineHeight=13, labelExpr=wrapped_label(60)),
    )
    base = alt.Chart(alt.NamedData(name="rows"))
    # A click on a bar picks its partnership (the page shows its schools); the others fade.
    pick = alt.selection_point(name=PICK, fields=["code"], on="click", clear="dblclick", toggle=False)
    bars = (
        base.mark_bar(cursor="pointer", aria=False)
        .encode(
            y=y,
            x=alt.X("amount:Q", title="Amount (£)", axis=alt.Axis(format=",.0f")),
            color=alt.Color("status:N", scale=FUNDED_COLOURS, legend=alt.Legend(title=None, orient="bottom")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
            tooltip=tooltip,
        )
        .add_params(pick)
        .properties(name="bars")
    )
    labels = base.mark_text(aria=False, align="left", dx=4, fontSize=12).encode(y=y, x="amount:Q", text="label:N")
    previous = base.mark_tick(aria=False, color="#D55E00", thickness=3, size=18).encode(y=y, x="previous:Q", tooltip=tooltip)
    return (
        (bars + labels + previous)
        .properties(
            height=alt.Step(32),
            title="Amount per partnership (orange tick: previous, 2008/9 basis)",
        )
        .configure(locale=D3_LOCALE)
        .to_dict()
    )


def difference_bars(long: pl.DataFrame, description: str | None = None) -> alt.Chart:
    """Each partnership's change in pounds against the first scenario; one colour per
    comparison, gains right of zero and losses left. ``description``: the chart's text
    alternative (compare.differences_description)."""
    tooltip = [
        alt.Tooltip("Partnership:N"),
        alt.Tooltip("comparison:N", title="Comparison"),
        alt.Tooltip("difference:Q", title="Difference", format="+$,.2f"),
    ]
    return (
        alt.Chart(long)
        .mark_bar(aria=False)
        .encode(
            y=alt.Y("Code:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=0)),  # codes never cut
            yOffset=alt.YOffset("comparison:N"),
            x=alt.X("difference:Q", title="Difference from the first scenario", axis=alt.Axis(format="+$,.0f")),
            color=alt.Color(
                "comparison:N",
                scale=alt.Scale(range=[OKABE_ITO[4], OKABE_ITO[5]]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0),  # whole names
            ),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(14), **({"description": description} if description else {}))
        .configure(locale=D3_LOCALE)
    )
