"""Coverage gaps: who is not covered and what else breaks the rules, with what to do."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import maps, queries, state
from pipelines import exports, settings

chosen = state.current()
st.title("Coverage gaps")
travel_km = st.slider("Flag schools further than this from their partnership's centre (km)", 5, 60, settings.DEFAULT_TRAVEL_KM)
gaps = queries.gaps(chosen, travel_km)
codes = queries.gap_codes()

a, b, c, d = st.columns(4)
pick_codes = a.multiselect("Code", codes["code"].to_list())
pick_severity = b.multiselect("Severity", ["error", "warning"])
pick_partnerships = c.multiselect("Partnership", sorted(gaps["partnership_code"].drop_nulls().unique().to_list()))
pick_districts = d.multiselect("District", sorted(gaps["district"].drop_nulls().unique().to_list()))
shown = gaps
for column, picked in (("code", pick_codes), ("severity", pick_severity),
                       ("partnership_code", pick_partnerships), ("district", pick_districts)):
    if picked:
        shown = shown.filter(pl.col(column).is_in(picked))

errors = (shown["severity"] == "error").sum()
st.markdown(f"**{shown.height} gaps shown** ({errors} errors, {shown.height - errors} warnings) of {gaps.height}.")
st.dataframe(
    shown.select(
        pl.col("severity").alias("Severity"), pl.col("code").alias("Code"),
        pl.col("partnership_code").alias("Partnership"), pl.col("institution_name").alias("Institution"),
        pl.col("district").alias("District"), pl.col("detail").alias("Detail"), pl.col("action").alias("What to do"),
    ),
    hide_index=True, width="stretch",
)
st.download_button("Download these gaps (CSV)", lambda: exports.gaps_csv(shown), file_name=f"coverage_gaps_{dt.date.today()}.csv",
                   mime="text/csv", icon=":material/download:")

st.subheader("On the map")
points = queries.map_institutions(chosen.as_of, chosen.census_date)
flagged = set(shown["institution_id"].drop_nulls().to_list())
st.altair_chart(maps.institutions_map(points, queries.districts_geojson(), height=480, highlight=flagged), width="stretch")

st.subheader("What each code means")
for code, severity, meaning, action in codes.rows():
    label = "error if the partnership is funded, otherwise warning" if severity == "error_if_funded" else severity
    st.markdown(f"**`{code}`** ({label}): {meaning} *What to do:* {action}")
