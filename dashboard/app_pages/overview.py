"""Overview: the headline figures and the map, for the Strategy Group on a projector."""

import polars as pl
import streamlit as st

from dashboard import maps, queries, state
from dashboard.formatting import count, money, plain
from pipelines.allocate import AllocationRefused

chosen = state.current()
st.title("14-19 partnerships: coverage and funding")
st.caption("Default data: real Norfolk schools and colleges (DfE 2018/19). Year 10 is a proxy (the 2019 Year 11 "
           "cohort); rosters partly inferred; accreditation and the previous allocation are synthetic. See Data.")

points = queries.map_institutions(chosen.as_of, chosen.census_date)
schools = points.filter(pl.col("kind").is_in(["high_school", "special_school", "pru"]) & (pl.col("status") != "closed"))
covered = schools.filter(~pl.col("coverage_gap"))
counted = schools.filter(pl.col("kind") != "pru")
accreditation = queries.accreditation(chosen.as_of)

row = st.columns(4)
row[0].metric("Partnerships", count(accreditation.height))
row[1].metric("Accredited", count((accreditation["status"] == "accredited").sum()))
row[2].metric("Schools covered", f"{covered.height} of {schools.height}")
row[3].metric("Schools not covered (or in two)", count(schools.height - covered.height))

try:
    allocation = queries.allocation(chosen)
    funded = allocation.filter(pl.col("funded"))
    year10_all = counted["year10"].fill_null(0).sum()
    row = st.columns(5)
    row[0].metric("Year 10 counted for funding", count(funded["year10"].sum()))
    row[1].metric("Year 10 not counted", count(max(year10_all - float(funded["year10"].sum()), 0)),
                  help="Year 10 in high and special schools that are uncovered or in unfunded partnerships")
    row[2].metric("Pot", money(chosen.total))
    row[3].metric("Largest share", money(funded["amount"].max()))
    row[4].metric("Smallest funded share", money(funded["amount"].min()))
except AllocationRefused as refusal:
    st.warning(f"No allocation with these settings: {refusal}")

reviews = queries.gaps(chosen).filter(pl.col("code") == "review_due")
if reviews.height:
    st.warning("Accreditation reviews: " + "; ".join(plain(d) for d in reviews["detail"].to_list()) + ".",
               icon=":material/event_upcoming:")

st.subheader("Map")
st.altair_chart(maps.institutions_map(points, queries.districts_geojson(), height=520), width="stretch")
with st.container():
    st.subheader("Schools not covered")
    gaps = schools.filter(pl.col("coverage_gap")).select(
        pl.col("name").alias("School"), pl.col("kind_label").alias("Kind"),
        pl.col("partnerships").alias("Partnerships"), pl.col("district").alias("District"),
    )
    st.dataframe(gaps, hide_index=True, width="stretch")
    st.caption("Triangles with a black outline on the map. Institutions without a location are listed but not mapped.")
