"""Allocation: the split at the sidebar's settings as a chart and a table, the proof that it
adds up to the pot, and the downloads finance pays from (each labelled with the pot it holds)."""

import polars as pl
import streamlit as st

from dashboard import charts, queries, scenario_form, state, tables
from dashboard.formatting import MISSING, SHARED_SCHOOL, count, money, plain
from pipelines import clock, exports, links, provenance

chosen = state.current()
st.title("Allocation")
try:
    frame = queries.allocation(chosen)
    summary = queries.allocation_summary(chosen)
except queries.AllocationRefused as refusal:
    st.error(f"No allocation: {plain(str(refusal))}", icon=":material/block:")
    st.caption("Change the settings in the sidebar (for example another census, or accept the missing figures).")
    st.stop()

tables.data_notes(summary)
gaps = queries.gaps(chosen)
funding_errors = gaps.filter(pl.col("code").is_in(["census_missing", "member_unknown"]) & (pl.col("severity") == "error"))
if funding_errors.height:
    st.warning(
        f"{funding_errors.height} data problem(s) change these figures: "
        + "; ".join(plain(d) for d in funding_errors["detail"].head(3).to_list()),
        icon=":material/warning:",
    )
    st.page_link("app_pages/gaps.py", label="See these gaps", icon=":material/report:")

pence = chosen.unit != 1
verdict = "equals" if summary["pot_total"] == chosen.total else "does NOT equal"
with_slice = f" + county top-slice {money(summary['top_slice'], pence=True)}" if summary["top_slice"] else ""
st.success(
    f"Sum of amounts {money(summary['amount_total'], pence=True)}{with_slice} {verdict} "
    f"the pot {money(chosen.total, pence=True)} "
    f"— {summary['funded']} funded partnerships, census {clock.day_text(summary['census_date'])}.",
    icon=":material/check_circle:",
)
undo_to = state.previous()
st.button(
    "Undo last change",
    on_click=state.undo,
    disabled=undo_to is None,
    icon=":material/undo:",
    key="undo_settings",
    help=f"Back to: {links.summary(undo_to)}." if undo_to else "Nothing to undo: the settings have not changed yet.",
)

picked = st.vega_lite_chart(
    charts.allocation_bars(frame, pence=pence, top_slice=summary["top_slice"]),
    width="stretch",
    on_select="rerun",
    selection_mode=charts.PICK,
    key="allocation_chart",
)
picked_codes = [point.get("code") for point in picked.selection.get(charts.PICK, [])]
picked_code = next((c for c in picked_codes if c in frame["partnership_code"].to_list()), None)
if picked_code is None:
    st.caption("Click a partnership's bar to see its schools here (double-click to clear).")
else:
    picked_name = frame.filter(pl.col("partnership_code") == picked_code)["partnership_name"][0]
    st.subheader(plain(f"Schools of {picked_code} — {picked_name}"))
    members = queries.attribution(chosen.as_of, summary["census_date"], chosen.changes).filter(
        pl.col("partnership_code") == picked_code
    )
    st.dataframe(
        members.select(
            pl.col("name").alias("Member"),
            pl.col("kind_label").alias("Kind"),
            pl.col("district").alias("District"),
            pl.col("year10_headcount").alias("Year 10 on roll"),
            pl.col("counted_year10").cast(pl.Float64).alias("Counted here"),
            pl.col("not_counted_because").fill_null("").alias("Not counted because"),
        ),
        hide_index=True,
        width="stretch",
        key="picked_schools",
    )
    st.page_link(
        "app_pages/partnerships.py",
        label=plain(f"Open {picked_code} on the Partnerships page"),
        icon=":material/groups:",
        query_params={**links.to_query(chosen), "p": picked_code},
    )

versus: pl.DataFrame | None = None
baseline_problem = None
try:
    versus = queries.against_baseline(chosen)
except queries.AllocationRefused as refusal:
    baseline_problem = str(refusal)
decision = queries.current_decision()
baseline_name = f"decision {decision['decision_id']}" if decision else "defaults"
versus_column = f"Change vs {baseline_name} (£)"
money_columns = ["Amount (£)", "Previous, 2008/9 (£)", "Change (£)"]
table = frame.select(
    pl.col("partnership_code").alias("Code"),
    pl.col("partnership_name").alias("Partnership"),
    pl.when(pl.col("funded")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("Funded"),
    pl.col("year10").cast(pl.Float64).alias("Year 10"),
    pl.col("share_percent").cast(pl.Float64).alias("Share %"),
    pl.col("amount").cast(pl.Float64).alias("Amount (£)"),
    pl.col("per_year10").cast(pl.Float64).alias("£/Year 10"),
    pl.col("days_per_week").cast(pl.Float64).alias("Days/week"),
    pl.col("fte").cast(pl.Float64).alias("FTE"),
    pl.col("previous_amount").cast(pl.Float64).alias("Previous, 2008/9 (£)"),
    pl.col("change").cast(pl.Float64).alias("Change (£)"),
    pl.col("protection_note").fill_null("").alias("Protection"),
    pl.col("funding_reason").alias("Status"),
)
# The county's line, so the column adds up to the pot (and its change shows when only the baseline has one).
if summary["top_slice"] or (versus is not None and "top_slice" in versus["line"].to_list()):
    table = pl.concat(
        [
            table,
            pl.DataFrame(
                {
                    "Code": [exports.TOP_SLICE_CODE],
                    "Partnership": [exports.TOP_SLICE_NAME],
                    "Amount (£)": [float(summary["top_slice"])],
                    "Status": ["taken off the pot first"],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
# At 1280 px with the sidebar open the figures a meeting compares fit without scrolling: code and
# name pinned (names cut short, whole on hover), the amounts first under short headings (the help
# says the rest), and the long words (status, protection) in a table of their own below.
DETAILS = ["Status", "Protection"]
FIRST = ["Code", "Partnership", "Amount (£)", "Previous, 2008/9 (£)", "Change (£)", "Year 10", "Share %", "Days/week", "Funded"]
details = table.select("Code", "Partnership", *DETAILS)  # the partnerships' lines, without the total
totals = {  # the columns' totals, from the summary (the amounts with the top-slice are the pot)
    "Year 10": summary["year10_all_partnerships"],
    "Amount (£)": summary["pot_total"],
    "£/Year 10": summary["pot_per_year10"],
    "Days/week": summary["days_total"],
    "FTE": summary["fte_total"],
    "Previous, 2008/9 (£)": summary["previous_total"],
    "Change (£)": summary["change_total"],
}
table = pl.concat(
    [table, pl.DataFrame({"Partnership": ["Total"]} | {c: [v] for c, v in totals.items()}).cast({c: pl.Float64 for c in totals})],
    how="diagonal_relaxed",
)
if versus is not None:  # by code, with the top-slice's line and the total's (which has no code)
    table = table.join(
        versus.select(pl.col("partnership_code").alias("Code"), pl.col("change").cast(pl.Float64).alias(versus_column)),
        on="Code",
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=38 + 35 * min(table.height, 20),
    placeholder=MISSING,
    column_order=[*FIRST, *(c for c in table.columns if c not in FIRST and c not in DETAILS)],
    column_config={
        **tables.money_config(money_columns, pence=pence),
        "Code": st.column_config.TextColumn(width=140, pinned=True),
        "Partnership": st.column_config.TextColumn(width=160, pinned=True),
        "Amount (£)": tables.money_column("Amount (£)", pence=pence, width=85),
        "Previous, 2008/9 (£)": tables.money_column(
            "Previous (£)", pence=pence, width=90, help="The previous allocation, on the 2008/9 basis."
        ),
        "Change (£)": tables.money_column("Change (£)", pence=pence, width=85, help="Amount less previous."),
        **tables.money_config(
            ["£/Year 10"],
            helps={
                "£/Year 10": "Amount ÷ Year 10 counted, worked out exactly and rounded to the nearest penny (halves up) "
                "for display only. Total row: the whole pot ÷ the Year 10 of the funded partnerships."
            },
        ),
        **tables.money_config(
            [versus_column],
            pence=pence,
            helps={
                versus_column: f"Amount here less the amount in the baseline ({baseline_name}); a partnership the "
                "baseline does not have counts from £0. The line under the table says what the baseline is."
            },
        ),
        "Year 10": st.column_config.NumberColumn(
            format="localized", width=65, help=f"Year 10 counted for this partnership. {SHARED_SCHOOL}"
        ),
        "Share %": st.column_config.NumberColumn("Share", format="%.2f%%", width=65, help="Share of the pot."),
        "Days/week": st.column_config.NumberColumn(
            "Days/wk", format="%.2f", width=65, help="Manager days per week at the day rate and weeks per year."
        ),
        "Funded": st.column_config.TextColumn(width=60, help="Why or why not: the status table below."),
        "FTE": st.column_config.NumberColumn(format="%.3f", help="Days per week / 5."),
    },
)
with st.expander("Status and protection of each partnership", icon=":material/info:"):
    st.dataframe(
        details,
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={
            "Code": st.column_config.TextColumn(width=140),
            "Partnership": st.column_config.TextColumn(width=220),
            "Protection": st.column_config.TextColumn(help="Transition protection against the previous amount, if any."),
        },
        key="allocation_status",
    )
st.caption(
    f"Year 10 in funded partnerships: {count(summary['year10_funded'])} (the proxy the pot is shared by); "
    f"in all partnerships, funded or not: {count(summary['year10_all_partnerships'])}. {SHARED_SCHOOL} "
    f"The pot is {money(summary['pot_per_year10'], pence=True)} per Year 10 learner in the funded partnerships "
    "(exact, rounded to the nearest penny for display)."
)
if decision:
    st.caption(
        plain(
            f"{versus_column}: against decision {decision['decision_id']}, “{decision['title']}”, approved "
            f"{clock.uk_text(decision['approved_at'])}, the decision in force ({money(decision['total'], pence=True)} pot, "
            f"census {clock.day_text(decision['census_date'])})."
        )
    )
elif versus is not None:
    st.caption(
        plain(
            f"{versus_column}: against the default settings ({links.summary(queries.baseline_settings())}) "
            "on the loaded rosters; no decision has been approved yet."
        )
    )
else:
    st.caption(
        plain(
            "No baseline to compare with: no decision is approved and the default settings give no allocation "
            f"({baseline_problem})."
        )
    )

st.subheader("By district")
st.dataframe(
    queries.allocation_by_district(chosen).select(
        pl.col("district").alias("District"),
        pl.col("year10").cast(pl.Float64).alias("Year 10"),
        pl.col("amount").cast(pl.Float64).alias("Amount (£)"),
        pl.col("per_year10").cast(pl.Float64).alias("£/Year 10"),
        pl.col("partnerships").fill_null("").alias("Partnerships"),
    ),
    hide_index=True,
    width="stretch",
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
    "Each funded partnership's amount is split across the districts of its schools by their Year 10 as counted "
    "for it (a school in k partnerships counts 1/k), to the penny by largest remainder, so a partnership's parts "
    "add up to its amount and the lines to the pot. A district's £/Year 10 is its amount ÷ that Year 10, "
    "rounded to the nearest penny for display."
)

version = queries.version_label()
status = queries.data_status()
census_date = summary["census_date"]
pot = money(chosen.total, pence=pence)
down_csv = down_xlsx = down_pack = st.container(horizontal=True, gap="small")  # as wide as their words
# Files are made when clicked (a rerun stays quick) and a click does not rerun the page (so the
# other buttons stay valid); a click while the page is redrawn waits for the redrawn button
# (dashboard/download_guard.js): a file is never missing and always for the settings on screen.
down_csv.download_button(
    f"CSV for {pot}",
    lambda: queries.allocation_csv(chosen),
    file_name=exports.allocation_filename(chosen, census_date, "csv"),
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="download_csv",
    help="One row per partnership, the settings and data status on every row.",
)
down_xlsx.download_button(
    f"XLSX for {pot}",
    lambda: queries.allocation_xlsx(chosen),
    file_name=exports.allocation_filename(chosen, census_date, "xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="download_xlsx",
    help="Money as numbers, a total row, and an About sheet with the settings and the data's status.",
)
down_pack.download_button(
    f"Meeting pack (PDF) for {pot}",
    lambda: queries.meeting_pack(chosen),
    file_name=exports.allocation_filename(chosen, census_date, "pdf").replace("allocation_", "meeting-pack_"),
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    key="download_pack",
    help="A4: the map, this table and the gaps summary at these settings, for the papers before a meeting. "
    "Made when clicked (it takes a few seconds).",
)
st.caption(f"Rounding: {exports.ROUNDING_RULE} Data version {version}. {plain(provenance.data_status_line(status))}.")

with st.expander("Save these settings as a scenario", icon=":material/bookmark_add:"):
    scenario_form.save_form(chosen, "e.g. £500k, pending included")
