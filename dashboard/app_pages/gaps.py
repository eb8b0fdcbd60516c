"""Coverage gaps: who is not covered and what else breaks the rules, with what to do."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import queries, state, tables
from dashboard.formatting import plain
from pipelines.base import clock, config
from pipelines.outputs import exports

chosen = state.current()
st.title("Coverage gaps")
travel_km = st.slider(
    "Flag schools further than this from their partnership's centre (km)",
    5,
    60,
    config.DEFAULT_TRAVEL_KM,
    help="Travel to learn: a school this far from the centre of its partnership's schools, or nearer "
    "another partnership's centre, is flagged for review.",
)
gaps = queries.gaps(chosen, travel_km)
codes = queries.gap_codes()
labels = dict(codes.select("code", "label").rows())
figures = queries.overview_figures(chosen)
tables.data_notes(figures)

a, b, c, d = st.columns(4)
pick_codes = a.multiselect(
    "Gap",
    codes["code"].to_list(),
    key="gaps_code",
    format_func=lambda code: labels.get(code, code),
    help="Which rule is broken (the stable code is in the table and the CSV).",
)
pick_severity = b.multiselect(
    "Severity", ["error", "warning"], key="gaps_severity", help="Errors break a rule; warnings ask for a review."
)
names = dict(gaps.select("partnership_code", "partnership_name").drop_nulls().unique().rows())
pick_partnerships = c.multiselect(
    "Partnership",
    sorted(names),
    key="gaps_partnership",
    format_func=lambda p: f"{p} — {names[p]}",
    help="Only the gaps of these partnerships.",
)
pick_districts = d.multiselect(
    "District",
    key="gaps_district",
    options=sorted(gaps["district"].drop_nulls().unique().to_list()),
    help="Only the gaps of institutions in these districts.",
)
shown = gaps
for column, picked in (
    ("code", pick_codes),
    ("severity", pick_severity),
    ("partnership_code", pick_partnerships),
    ("district", pick_districts),
):
    if picked:
        shown = shown.filter(pl.col(column).is_in(picked))

errors = (shown["severity"] == "error").sum()
rows = f"{shown.height} gap row{'s' if shown.height != 1 else ''}"
st.markdown(f"**{rows} shown** ({errors} errors, {shown.height - errors} warnings) of {gaps.height}.")
st.caption(plain(queries.gap_tally(chosen, travel_km).why_they_differ()))
tables.show(
    shown.select(
        pl.col("severity").alias("Severity"),
        pl.col("code").replace_strict(labels, default=pl.col("code")).alias("Gap"),
        pl.col("partnership_code").alias("Code"),
        pl.col("partnership_name").alias("Partnership"),
        pl.col("institution_name").alias("Institution"),
        pl.col("district").alias("District"),
        pl.col("detail").alias("Detail"),
        pl.col("action").alias("What to do"),
        pl.col("code").alias("Gap code"),
    )
)
tables.download(
    st,
    "Download these gaps (CSV)",
    lambda: exports.gaps_csv(shown, queries.dataset_name()),
    f"coverage_gaps_{figures['as_of']}.csv",
    key="download_gaps",
    help="The rows shown, with the filters above applied.",
)

st.header("On the map")
flagged = frozenset(shown["institution_id"].drop_nulls().to_list())
st.vega_lite_chart(
    queries.map_spec(chosen.as_of, figures["census_date"], chosen.changes, height=480, highlight=flagged), width="stretch"
)
tables.map_table(queries.map_table(chosen.as_of, figures["census_date"], chosen.changes, highlight=flagged), key="gaps_map_table")

st.header("What each gap means")
for code, label, severity, meaning, action in codes.rows():
    level = "error if the partnership is funded, otherwise warning" if severity == "error_if_funded" else severity
    st.markdown(f"**{label}** (`{code}`, {level}): {meaning} *What to do:* {action}")
st.caption(f"As of {clock.day_text(figures['as_of'])}; produced {clock.day_text(dt.date.today())}.")
