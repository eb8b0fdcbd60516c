"""Pieces of the Allocation page beside the split's own table: Undo, the schools of the
partnership picked on the chart, the table's total row and change against the baseline (with
the line naming it), and the money by district. Every figure comes from the query layer; these
only name, place and format them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, queries, state, tables
from dashboard.formatting import money, plain
from pipelines.base import clock
from pipelines.rules import links
from pipelines.rules.allocate import AllocationSettings

PER_YEAR10 = "£/Year 10"
# Widths (px) of the two columns beside the amounts, under short headings (the help says the rest),
# so that with them the figures a meeting compares fit a projector at 1280 x 720 with the sidebar
# open: "vs #12 (£)" over a change of -112,345.67, "vs defaults (£)" before the first decision,
# a £/Year 10 of 1,234.56. The partnership's name gets what the baseline's column leaves.
PER_YEAR10_WIDTH = 60
BASELINE_WIDTH = 76
BASELINE_WIDTH_DEFAULTS = 92
PICKED = "allocation_picked"  # the list under the chart: the partnership whose schools are shown
CLICKED = "allocation_clicked"  # the chart's selection as last seen, so a new click is told from an old one


def undo_button() -> None:
    undo_to = state.previous()
    st.button(
        "Undo last change",
        on_click=state.undo,
        disabled=undo_to is None,
        icon=":material/undo:",
        key="undo_settings",
        help=f"Back to: {links.summary(undo_to)}." if undo_to else "Nothing to undo: the settings have not changed yet.",
    )


def offer_treat_as_accredited(chosen: AllocationSettings) -> bool:
    """When no partnership is accredited (a store built for an authority starts with no decision),
    say so and offer the what-if that funds them all; whether it did."""
    codes = queries.none_accredited(chosen.as_of, chosen.changes)
    if not codes or chosen.treat_as_accredited:
        return False
    st.info(
        f"No partnership is accredited yet, so none is funded: the {len(codes)} partnerships have no accreditation "
        "decision in force. Load the accreditation decisions on the Data page, or see the split as it would be if they "
        "were all accredited (a what-if: the sidebar's 'Treat as accredited' holds them, and a link carries it).",
        icon=":material/verified:",
    )
    st.button(
        f"Treat all {len(codes)} partnerships as accredited (what-if)",
        on_click=state.treat_as_accredited,
        args=(codes,),
        icon=":material/science:",
        key="treat_all_as_accredited",
    )
    return True


def picked_schools(chosen: AllocationSettings, frame: pl.DataFrame, event) -> None:
    """The schools of the partnership picked, with a link to its page: picked by a click on its
    bar (the chart's selection event) or in the list under the chart, which is the keyboard's way
    (a bar cannot take the focus). A new click picks in the list too; the list is then free to
    pick another. The county's bar has no schools."""
    state = st.session_state
    names = dict(frame.select("partnership_code", "partnership_name").rows())
    clicked = tuple(point.get("code") for point in event.selection.get(charts.PICK, []))
    if clicked != state.get(CLICKED):
        state[CLICKED] = clicked
        state[PICKED] = next((c for c in clicked if c in names), None)
    elif state.get(PICKED) not in names:  # none yet, or gone from the map (a plan's change)
        state[PICKED] = None
    shown = st.selectbox(
        "Show the schools of",
        list(names),
        key=PICKED,
        format_func=lambda c: f"{c} — {names[c]}",
        placeholder="a partnership: pick one here, or click its bar",
        help="Type to find a partnership, or click its bar on the chart (a double-click on the chart clears it).",
    )
    if shown is None:
        return
    picked = frame.filter(pl.col("partnership_code") == shown)
    code, name, census_date = picked.row(0)[0], picked["partnership_name"][0], picked["census_date"][0]
    st.header(plain(f"Schools of {code} — {name}"))
    members = queries.attribution(chosen.as_of, census_date, chosen.changes).filter(pl.col("partnership_code") == code)
    tables.show(
        members.select(
            pl.col("name").alias("Member"),
            pl.col("kind_label").alias("Kind"),
            pl.col("district").alias("District"),
            pl.col("year10_headcount").alias("Year 10 on roll"),
            pl.col("counted_year10").cast(pl.Float64).alias("Counted here"),
            pl.col("not_counted_because").alias("Not counted because"),
        ),
        key="picked_schools",
    )
    st.page_link(
        "app_pages/partnerships.py",
        label=plain(f"Open {code} on the Partnerships page"),
        icon=":material/groups:",
        query_params={**links.to_query(chosen), "p": code},
    )


class Baseline:
    """What the split is compared with: the decision in force, else the default settings; the
    change per line (None when there is nothing to compare with, ``problem`` says why)."""

    def __init__(self, chosen: AllocationSettings) -> None:
        self.decision = queries.current_decision()
        self.name = f"decision {self.decision['decision_id']}" if self.decision else "defaults"
        self.column = f"Change vs {self.name} (£)"
        # The heading a projector has room for (a decision is "#N", as on the Decisions page); the
        # help says it in full.
        self.heading = f"vs #{self.decision['decision_id']} (£)" if self.decision else "vs defaults (£)"
        self.lines: pl.DataFrame | None = None
        self.problem: str | None = None
        try:
            self.lines = queries.against_baseline(chosen)
        except queries.AllocationRefused as refusal:
            self.problem = str(refusal)

    def has_top_slice(self) -> bool:
        return self.lines is not None and "top_slice" in self.lines["line"].to_list()

    def columns(self) -> list[str]:
        return [self.column] if self.lines is not None else []

    @property
    def width(self) -> int:
        """0 when there is no baseline column, so the partnership's name takes its room."""
        if self.lines is None:
            return 0
        return BASELINE_WIDTH if self.decision else BASELINE_WIDTH_DEFAULTS

    def config(self, pence: bool) -> dict:
        return {
            self.column: tables.money_column(
                self.heading,
                pence=pence,
                width=self.width,
                help=f"{self.column}: the amount here less the amount in the baseline ({self.name}); a partnership "
                "the baseline does not have counts from £0. The line under the table says what the baseline is.",
            )
        }

    def caption(self) -> None:
        if self.decision:
            d = self.decision
            said = (
                f"{self.heading}, the change against decision {d['decision_id']}, “{d['title']}”, "
                f"approved {clock.uk_text(d['approved_at'])}, "
                f"the decision in force ({money(d['total'], pence=True)} pot, census {clock.day_text(d['census_date'])})."
            )
        elif self.lines is not None:
            said = (
                f"{self.heading}, the change against the default settings ({links.summary(queries.baseline_settings())}) on the "
                "loaded rosters; no decision has been approved yet."
            )
        else:
            said = (
                "No baseline to compare with: no decision is approved and the default settings give no allocation "
                f"({self.problem})."
            )
        st.caption(plain(said))


def with_totals(table: pl.DataFrame, summary: dict, baseline: Baseline) -> pl.DataFrame:
    """The page's table with the total row (the columns' totals from the summary: the amounts
    with the county's line are the pot) and the change against the baseline, joined by code."""
    totals = {
        "Year 10": summary["year10_all_partnerships"],
        "Amount (£)": summary["pot_total"],
        PER_YEAR10: summary["pot_per_year10"],
        "Days/week": summary["days_total"],
        "FTE": summary["fte_total"],
        "Previous, 2008/9 (£)": summary["previous_total"],
        "Change (£)": summary["change_total"],
    }
    total_row = pl.DataFrame({"Partnership": ["Total"]} | {c: [v] for c, v in totals.items()}).cast(
        {c: pl.Float64 for c in totals}
    )
    table = pl.concat([table, total_row], how="diagonal_relaxed")
    if baseline.lines is not None:  # the total's line has no code, as the total row
        table = table.join(
            baseline.lines.select(
                pl.col("partnership_code").alias("Code"), pl.col("change").cast(pl.Float64).alias(baseline.column)
            ),
            on="Code",
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return table  # the county's and the total's empty cells show the table's placeholder, as any other


def per_year10_config() -> dict:
    return {
        PER_YEAR10: tables.money_column(
            "£/Y10",
            width=PER_YEAR10_WIDTH,
            help="£ per Year 10 learner: the amount ÷ Year 10 counted, worked out exactly and rounded to the nearest "
            "penny (halves up) for display only. Total row: the whole pot ÷ the Year 10 of the funded partnerships.",
        )
    }


def by_district(chosen: AllocationSettings) -> None:
    """The money by district, worked out only while its panel is open (it costs a query for
    every new pot, which a meeting moving the slider need not pay when nobody is looking)."""
    panel = st.expander("Amounts by district", icon=":material/map:", key="by_district_open", on_change="rerun")
    if not panel.open:
        return
    with panel:
        tables.show(
            queries.allocation_by_district(chosen).select(
                pl.col("district").alias("District"),
                pl.col("year10").cast(pl.Float64).alias("Year 10"),
                pl.col("amount").cast(pl.Float64).alias("Amount (£)"),
                pl.col("per_year10").cast(pl.Float64).alias("£/Year 10"),
                pl.col("partnerships").alias("Partnerships"),
            ),
            key="by_district",
            column_config={
                **tables.money_config(
                    ["Amount (£)", "£/Year 10"],
                    helps={"£/Year 10": "The district's amount ÷ its Year 10; total row: the whole pot ÷ all of it."},
                ),
                "Year 10": st.column_config.NumberColumn(
                    format="localized", help="Year 10 of the funded partnerships' schools in the district."
                ),
            },
        )
        st.caption(
            "Each funded partnership's amount is split across the districts of its schools by their Year 10 as "
            "counted for it (a school in k partnerships counts 1/k), to the penny by largest remainder, so a "
            "partnership's parts add up to its amount and the lines to the pot. A district's £/Year 10 is its "
            "amount ÷ that Year 10, rounded to the nearest penny for display."
        )
