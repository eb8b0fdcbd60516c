"""Altair charts. Colours come from the Okabe-Ito palette, which stays distinct for the common
forms of colour blindness; every chart also carries its numbers in the tooltip and the page
puts a table beside it."""

from __future__ import annotations

import altair as alt
import polars as pl

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
FUNDED_COLOURS = alt.Scale(domain=["funded", "not funded"], range=["#0072B2", "#BBBBBB"])


def allocation_bars(frame: pl.DataFrame) -> alt.Chart:
    """Amount per partnership, previous amount as a tick for the comparison."""
    data = frame.select(
        pl.col("partnership_code").alias("code"),
        pl.col("partnership_name").alias("partnership"),
        pl.col("amount").cast(pl.Float64),
        pl.col("previous_amount").cast(pl.Float64).alias("previous"),
        pl.col("year10").cast(pl.Float64),
        pl.when(pl.col("funded")).then(pl.lit("funded")).otherwise(pl.lit("not funded")).alias("status"),
    )
    order = alt.EncodingSortField(field="code", order="ascending")
    tooltip = [
        alt.Tooltip("partnership:N", title="Partnership"),
        alt.Tooltip("amount:Q", title="Amount (£)", format=",.0f"),
        alt.Tooltip("previous:Q", title="Previous (£)", format=",.0f"),
        alt.Tooltip("year10:Q", title="Year 10", format=",.1f"),
        alt.Tooltip("status:N", title="Status"),
    ]
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("code:N", sort=order, title=None),
        x=alt.X("amount:Q", title="Amount (£)", axis=alt.Axis(format=",.0f")),
        color=alt.Color("status:N", scale=FUNDED_COLOURS, legend=alt.Legend(title=None, orient="bottom")),
        tooltip=tooltip,
    )
    previous = alt.Chart(data).mark_tick(color="#D55E00", thickness=3, size=18).encode(
        y=alt.Y("code:N", sort=order), x="previous:Q", tooltip=tooltip,
    )
    return (bars + previous).properties(height=max(220, 26 * frame.height), title="Amount per partnership (orange tick: previous, 2008/9 basis)")


def difference_bars(long: pl.DataFrame) -> alt.Chart:
    """Each partnership's change in pounds against the first scenario; one colour per
    comparison, gains right of zero and losses left."""
    tooltip = [
        alt.Tooltip("Partnership:N"),
        alt.Tooltip("comparison:N", title="Comparison"),
        alt.Tooltip("difference:Q", title="Difference (£)", format="+,.2f"),
    ]
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("Code:N", title=None, sort="ascending"),
        yOffset=alt.YOffset("comparison:N"),
        x=alt.X("difference:Q", title="Difference from the first scenario (£)", axis=alt.Axis(format="+,.0f")),
        color=alt.Color("comparison:N", scale=alt.Scale(range=[OKABE_ITO[4], OKABE_ITO[5]]),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=tooltip,
    ).properties(height=alt.Step(14))
