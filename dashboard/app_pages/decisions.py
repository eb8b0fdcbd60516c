"""Decisions: what the Group approved, frozen. Finance downloads the exact files kept with each
decision; a banner says when it has been superseded or when the data has moved on since, what the
data it was made on was (stand-ins included, as its files recorded it then, not today's), and when
the sidebar's what-if is another scenario. Laid out to print on one A4 sheet."""

import json

import polars as pl
import streamlit as st

from dashboard import compare, formatting, queries, state, tables
from dashboard.formatting import money, money_column, plain
from dashboard.tables import plain_table
from pipelines.base import clock, invocation
from pipelines.outputs import exports
from pipelines.rules import links

st.title("Decisions")
listed = queries.decisions()
if listed.height == 0:
    st.info(
        "No decision has been approved yet. A data officer approves a saved scenario on the Scenarios page; "
        f"without sign-in set up, approve from the command line: `{invocation.command('approve --scenario ID --by NAME')}` "
        "(or with the allocate command's settings, for example `--total 500000`)."
    )
    st.stop()

ids = listed["decision_id"].to_list()
linked, problems = links.record_ids(st.query_params.get("d"), ids, "decision", 1)
if problems:
    st.warning(plain(f"The link's decision: {'; '.join(problems)}; showing the newest."), icon=":material/link_off:")
picked = st.selectbox(
    "Decision",
    ids,
    index=ids.index(linked[0]) if linked else 0,
    key="decision_pick",
    help="The newest is the one in force.",
    format_func=lambda i: f"#{i} {listed.filter(pl.col('decision_id') == i)['title'][0]}",
)
if st.query_params.get("d") != str(picked):
    st.query_params["d"] = str(picked)
record = queries.decision(picked)
assert record is not None

if record["status"] != "current":
    st.warning(f"This decision has been {record['status']}.", icon=":material/history:")
changes = queries.decision_data_changes(picked)
if changes.height:
    st.error(
        f"Superseded data: {changes.height} file(s) in the store differ from those this decision was made on. "
        "Its figures are kept as approved; a new decision is needed to pay on the new data.",
        icon=":material/sync_problem:",
    )
    tables.show(
        changes.select(
            pl.col("kind").alias("Kind"),
            pl.col("file_name").alias("File"),
            pl.col("change").alias("Change"),
            clock.uk_column("loaded_at").alias("Loaded"),
            pl.col("sha256_at_decision").str.slice(0, 12).alias("sha256 then"),
            pl.col("sha256_now").str.slice(0, 12).alias("sha256 now"),
        )
    )

# A county's full list of partnerships (fifteen on the default data) still prints on one sheet,
# with the data's status, the settings and the rounding rule beside it: the headings, the banners,
# the table and the small print are set tighter.
st.html(
    "<style>@media print { [data-testid='stTable'] th, [data-testid='stTable'] td "
    "{ padding: 0.1rem 0.4rem !important; font-size: 0.8rem !important; line-height: 1.25 !important; } "
    "[data-testid='stCaptionContainer'] { font-size: 0.75rem !important; line-height: 1.3 !important; } "
    "h1 { font-size: 1.75rem !important; padding: 0 !important; } h2 { font-size: 1.4rem !important; padding: 0 !important; } "
    "[data-testid='stAlertContainer'] { padding: 0.3rem 0.75rem !important; } "
    "[data-testid='stAlertContainer'] p { font-size: 0.8rem !important; line-height: 1.3 !important; } "
    # The sidebar is not printed, so neither is the note comparing it with the decision.
    ".st-key-decision_vs_sidebar { display: none !important; } }</style>"
)
st.header(f"Decision {picked}: {plain(record['title'])}")  # a typed title: shown as typed, never as Markdown
st.markdown(
    f"Approved by **{plain(record['approved_by'])}** on {clock.uk_text(record['approved_at'])}. "
    f"Census {clock.day_text(record['census_date'])}; memberships and accreditation as of {clock.day_text(record['as_of'])}. "
    f"Data version `{record['data_version']}`."
)
sidebar_note = compare.sidebar_note(compare.decided_settings(record), state.current())
if sidebar_note:
    st.container(key="decision_vs_sidebar").info(plain(sidebar_note), icon=":material/tune:")
# What the data was when the decision was made, from its own frozen workbook (the store's data
# may have been replaced since): on screen and in the print, before any amount is read.
frozen = queries.decision_data_status(picked)
if frozen.warning:
    st.warning(plain(f"Made on stand-in data. {frozen.warning}"), icon=":material/science:")
settings = json.loads(record["settings_json"])
settings_text = " · ".join(f"{name}: {formatting.setting_value(value)}" for name, value in settings)
st.caption(plain(f"Settings — {settings_text}."))
st.caption(
    plain(
        f"Data status when approved: {frozen.line}."
        if frozen.line
        else "Data status when approved: not recorded (the decision's files are from before they carried it)."
    )
)
lines = queries.decision_lines(picked)
total = queries.lines_total(lines)
plain_table(
    lines.select(
        pl.col("partnership_code").alias("Code"),
        pl.col("partnership_name").alias("Partnership"),
        pl.when(pl.col("funded")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("Funded"),
        pl.col("year10").cast(pl.Float64).round(1).cast(pl.String).alias("Year 10"),
        money_column(lines, "amount", pence=True).alias("Amount"),
        pl.col("days_per_week").cast(pl.String).alias("Days/week"),
        pl.col("fte").cast(pl.String).alias("FTE"),
    )
)
top_slice = record.get("top_slice") or 0
if top_slice:
    st.markdown(f"County top-slice (strategic support, taken off the pot first): **{money(top_slice, pence=True)}**")
verdict = "equals" if total + top_slice == record["total"] else "does NOT equal"
with_slice = f" + top-slice {money(top_slice, pence=True)}" if top_slice else ""
st.markdown(f"**Total {money(total, pence=True)}**{with_slice} {verdict} the approved pot {money(record['total'], pence=True)}.")
st.caption(f"Rounding: {exports.ROUNDING_RULE}")  # the rule the amounts were rounded by, in the print too

with st.expander("Settings and data files", expanded=False):
    plain_table(pl.DataFrame(settings, schema=["Setting", "Value"], orient="row"))
    plain_table(
        pl.DataFrame(json.loads(record["files_json"]))
        .select("kind", "file_name", "sha256", "loaded_at")
        .with_columns(pl.col("loaded_at").str.to_datetime(strict=False))
        .with_columns(clock.uk_column("loaded_at"))
    )

csv_col, xlsx_col, _ = st.columns([1, 1, 3])
tables.download(csv_col, "Download CSV", record["csv_bytes"], record["csv_file_name"])
tables.download(xlsx_col, "Download XLSX", record["xlsx_bytes"], record["xlsx_file_name"])
st.caption(
    f"The files were made when the decision was approved and are the same bytes at every download "
    f"(CSV sha256 {record['csv_sha256'][:16]}…). Print with Ctrl+P: the page fits one A4 sheet."
)

with st.expander("All decisions", expanded=False):
    tables.show(
        listed.select(
            pl.col("decision_id").alias("#"),
            pl.col("title").alias("Title"),
            money_column(listed, "total", pence=True).alias("Pot"),
            pl.col("approved_by").alias("Approved by"),
            clock.uk_column("approved_at").alias("Approved"),
            pl.col("status").alias("Status"),
        )
    )
