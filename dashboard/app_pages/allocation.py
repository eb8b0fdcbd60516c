"""Allocation: the split at the sidebar's settings as a chart and a table, the proof that it
adds up to the pot, and the downloads finance pays from (each labelled with the pot it holds)."""

import polars as pl
import streamlit as st

from dashboard import allocation_parts, charts, queries, scenario_form, state, tables
from dashboard.formatting import SHARED_SCHOOL, count, money, plain
from pipelines.base import clock
from pipelines.outputs import exports
from pipelines.store import provenance

chosen = state.current()
st.title("Allocation")
try:
    frame = queries.allocation(chosen)
    summary = queries.allocation_summary(chosen)
except queries.AllocationRefused as refusal:
    st.error(f"No allocation: {plain(str(refusal))}", icon=":material/block:")
    if not allocation_parts.offer_treat_as_accredited(chosen):
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
allocation_parts.undo_button()

picked = st.vega_lite_chart(
    charts.allocation_bars(
        frame,
        pence=pence,
        top_slice=summary["top_slice"],
        description=charts.allocation_description(summary, chosen.total, pence),
    ),
    width="stretch",
    on_select="rerun",
    selection_mode=charts.PICK,
    key="allocation_chart",
)
allocation_parts.picked_schools(chosen, frame, picked)

baseline = allocation_parts.Baseline(chosen)
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
if summary["top_slice"] or baseline.has_top_slice():
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
# name pinned (names cut short, whole on hover), the amounts, the change against the baseline and
# £/Year 10 first under short headings (the help says the rest), the staffing figures just past
# the edge (there is no room for them beside the baseline's change), and the long words (status,
# protection) in a table of their own below.
DETAILS = ["Status", "Protection"]
details = table.select("Code", "Partnership", *DETAILS)  # the partnerships' lines, without the total
table = allocation_parts.with_totals(table, summary, baseline)
FIRST = [
    "Code",
    "Partnership",
    "Amount (£)",
    "Previous, 2008/9 (£)",
    "Change (£)",
    *baseline.columns(),
    allocation_parts.PER_YEAR10,
    "Year 10",
    "Share %",
    "Funded",
    "Days/week",
    "FTE",
]
tables.show(
    table,
    height=38 + 35 * min(table.height, 20),
    column_order=[*FIRST, *(c for c in table.columns if c not in FIRST and c not in DETAILS)],
    column_config={
        **tables.money_config(money_columns, pence=pence),
        "Code": st.column_config.TextColumn(width=140, pinned=True),
        # The name gets what the baseline's column leaves (see allocation_parts.BASELINE_WIDTH).
        "Partnership": st.column_config.TextColumn(width=192 - baseline.width, pinned=True),
        "Amount (£)": tables.money_column(
            "Amount (£)", pence=pence, width=84, help="Days/wk and FTE, right of Funded, say it as manager time."
        ),
        "Previous, 2008/9 (£)": tables.money_column(
            "Previous (£)", pence=pence, width=84, help="The previous allocation, on the 2008/9 basis."
        ),
        "Change (£)": tables.money_column("Change (£)", pence=pence, width=76, help="Amount less previous."),
        **allocation_parts.per_year10_config(),
        **baseline.config(pence),
        "Year 10": st.column_config.NumberColumn(
            format="localized", width=58, help=f"Year 10 counted for this partnership. {SHARED_SCHOOL}"
        ),
        "Share %": st.column_config.NumberColumn("Share", format="%.2f%%", width=62, help="Share of the pot."),
        "Days/week": st.column_config.NumberColumn(
            "Days/wk", format="%.2f", width=65, help="Manager days per week at the day rate and weeks per year."
        ),
        "Funded": st.column_config.TextColumn(width=58, help="Why or why not: the status table below."),
        "FTE": st.column_config.NumberColumn(format="%.3f", help="Days per week / 5."),
    },
)
with st.expander("Status and protection of each partnership", icon=":material/info:"):
    tables.show(
        details,
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
baseline.caption()
allocation_parts.by_district(chosen)

version = queries.version_label()
status = queries.data_status()
census_date = summary["census_date"]
pot = money(chosen.total, pence=pence)
down_csv = down_xlsx = down_pack = st.container(horizontal=True, gap="small")  # as wide as their words
# Files are made when clicked (a rerun stays quick) and a click does not rerun the page (so the
# other buttons stay valid); a click while the page is redrawn waits for the redrawn button
# (dashboard/download_guard.js): a file is never missing and always for the settings on screen.
tables.download(
    down_csv,
    f"CSV for {pot}",
    lambda: queries.allocation_csv(chosen),
    exports.allocation_filename(chosen, census_date, "csv"),
    key="download_csv",
    help="One row per partnership, the settings and data status on every row.",
)
tables.download(
    down_xlsx,
    f"XLSX for {pot}",
    lambda: queries.allocation_xlsx(chosen),
    exports.allocation_filename(chosen, census_date, "xlsx"),
    key="download_xlsx",
    help="Money as numbers, a total row, and an About sheet with the settings and the data's status.",
)
tables.download(
    down_pack,
    f"Meeting pack (PDF) for {pot}",
    lambda: queries.meeting_pack(chosen),
    exports.allocation_filename(chosen, census_date, "pdf").replace("allocation_", "meeting-pack_"),
    key="download_pack",
    help="A4: the map, this table and the gaps summary at these settings, for the papers before a meeting. "
    "Made when clicked (it takes a few seconds).",
)
st.caption(f"Rounding: {exports.ROUNDING_RULE} Data version {version}. {plain(provenance.data_status_line(status))}.")

with st.expander("Save these settings as a scenario", icon=":material/bookmark_add:"):
    scenario_form.save_form(chosen, "For example, £500,000 with pending included")
