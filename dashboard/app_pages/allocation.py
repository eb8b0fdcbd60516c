"""Allocation: what-if controls, the split as a chart and a table, a proof that it sums to the
pot, and the downloads finance pays from. The controls live in the URL, so a scenario can be
shared as a link."""

import datetime as dt
from decimal import Decimal

import polars as pl
import streamlit as st

from dashboard import access, charts, queries, state
from dashboard.formatting import count, money, money_column, plain
from pipelines import exports, links, records
from pipelines.allocate import MAX_POUNDS, AllocationRefused, AllocationSettings

start = state.current()
codes = queries.accreditation(start.as_of)
census_options = queries.census_dates()

# First visit in this session: the widgets start from the URL (a shared link opens exactly).
if "total_input" not in st.session_state:
    st.session_state.total_input = float(start.total)
    st.session_state.total_slider = int(start.total)


def _from_slider() -> None:
    st.session_state.total_input = float(st.session_state.total_slider)


def _from_input() -> None:
    st.session_state.total_slider = int(min(st.session_state.total_input, SLIDER_MAX))


SLIDER_MAX = max(2_000_000, int(start.total) * 2)
st.title("Allocation")
with st.container(border=True):
    left, right = st.columns([3, 2])
    left.slider("Total pot (£)", 0, SLIDER_MAX, step=1_000, key="total_slider", on_change=_from_slider)
    right.number_input("Exact total (£)", min_value=0.0, max_value=float(MAX_POUNDS), step=1_000.0, format="%.2f", key="total_input", on_change=_from_input)
    a, b, c, d = st.columns(4)
    lump = a.number_input("Lump sum per funded partnership (£)", min_value=0.0, step=500.0, value=float(start.lump_sum), format="%.2f")
    unit = b.radio("Round to", ["£1", "£0.01"], index=0 if start.unit == 1 else 1, horizontal=True)
    census = c.selectbox(
        "Census", census_options, index=census_options.index(start.census_date) if start.census_date in census_options else 0,
        format_func=lambda d: d.strftime("%d %b %Y"),
    )
    pending = d.toggle("Fund partnerships pending accreditation", value=start.include_pending)
    e, f, g = st.columns([1, 1, 2])
    day_rate = e.number_input("Day rate (£)", min_value=1.0, step=10.0, value=float(start.day_rate), format="%.2f")
    weeks = f.number_input("Weeks per year", min_value=1, max_value=52, value=int(start.weeks_per_year))
    not_accredited = codes.filter(pl.col("status").fill_null("") != "accredited")["partnership_code"].to_list()
    treat = g.multiselect(
        "Treat as accredited (what-if)", not_accredited,
        default=[c for c in start.treat_as_accredited if c in not_accredited],
    )

try:
    chosen = AllocationSettings(
        total=Decimal(str(st.session_state.total_input)).quantize(Decimal("0.01")),
        lump_sum=Decimal(str(lump)).quantize(Decimal("0.01")),
        unit=Decimal("1") if unit == "£1" else Decimal("0.01"),
        census_date=census if census_options and census != census_options[0] else None,
        include_pending=pending,
        day_rate=Decimal(str(day_rate)).quantize(Decimal("0.01")),
        weeks_per_year=Decimal(weeks),
        as_of=start.as_of,
        treat_as_accredited=tuple(treat),
    )
    state.publish(chosen)
    frame = queries.allocation(chosen)
except AllocationRefused as refusal:
    st.error(f"No allocation: {refusal}")
    st.stop()

gaps = queries.gaps(chosen)
funding_errors = gaps.filter(pl.col("code").is_in(["census_missing", "member_unknown"]) & (pl.col("severity") == "error"))
if funding_errors.height:
    st.warning(f"{funding_errors.height} data problem(s) change these figures: "
               + "; ".join(plain(d) for d in funding_errors["detail"].head(3).to_list()), icon=":material/warning:")
    st.page_link("app_pages/gaps.py", label="See these gaps", icon=":material/report:")

total = sum(frame["amount"], Decimal("0"))
verdict = "equals" if total == chosen.total else "does NOT equal"
st.success(f"Sum of amounts {money(total, pence=True)} {verdict} the pot {money(chosen.total, pence=True)} "
           f"— {frame['funded'].sum()} funded partnerships, census {frame['census_date'][0]:%d %b %Y}.", icon=":material/check_circle:")

st.altair_chart(charts.allocation_bars(frame), width="stretch")
table = frame.select(
    pl.col("partnership_code").alias("Code"),
    pl.col("partnership_name").alias("Partnership"),
    pl.when(pl.col("funded")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("Funded"),
    pl.col("year10").cast(pl.Float64).alias("Year 10"),
    (pl.col("share_percent").cast(pl.Float64)).round(2).alias("Share %"),
    money_column(frame, "amount", pence=chosen.unit != 1).alias("Amount"),
    pl.col("days_per_week").cast(pl.Float64).alias("Days/week"),
    pl.col("fte").cast(pl.Float64).alias("FTE"),
    money_column(frame, "previous_amount").alias("Previous (2008/9)"),
    money_column(frame, "change").alias("Change"),
    pl.col("funding_reason").alias("Status"),
)
st.dataframe(table, hide_index=True, width="stretch", height=38 + 35 * min(frame.height, 20))

produced = dt.datetime.now().replace(microsecond=0)
version = queries.version_label()
files = queries.loaded_files()
census_date = frame["census_date"][0]
down_csv, down_xlsx, _ = st.columns([1, 1, 3])
# The files are made when clicked, not on every rerun: a rerun stays quick and a session holds
# no copy of them in memory.
down_csv.download_button(
    "Download CSV", lambda: exports.allocation_csv(frame, chosen, version),
    file_name=exports.allocation_filename(chosen, census_date, "csv"), mime="text/csv", icon=":material/download:",
)
down_xlsx.download_button(
    "Download XLSX", lambda: exports.allocation_xlsx(frame, chosen, version, files, produced),
    file_name=exports.allocation_filename(chosen, census_date, "xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
)
st.caption(f"Rounding: {exports.ROUNDING_RULE} Data version {version}. Year 10 counted: {count(frame['year10'].sum())}.")

with st.expander("Save these settings as a scenario", icon=":material/bookmark_add:"):
    with st.form("save_scenario", clear_on_submit=True, border=False):
        name = st.text_input("Name", max_chars=120, placeholder="e.g. £500k, pending included")
        signed_in = access.signed_in_email()
        saved_by = st.text_input("Saved by", value=signed_in, disabled=bool(signed_in), max_chars=120)
        if st.form_submit_button("Save scenario", icon=":material/save:"):
            try:
                scenario_id = records.save_scenario(queries.store_path(), name, links.to_query(chosen), signed_in or saved_by)
            except ValueError as problem:
                st.error(str(problem))
            else:
                st.success(f"Saved as scenario {scenario_id}.")
    st.page_link("app_pages/scenarios.py", label="Compare or approve saved scenarios", icon=":material/compare_arrows:")
