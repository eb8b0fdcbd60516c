"""Overview: the headline figures and the map, for the Strategy Group on a projector."""

import polars as pl
import streamlit as st

from dashboard import queries, state, tables
from dashboard.formatting import SHARED_SCHOOL, count, money, plain
from pipelines.base import clock
from pipelines.rules import plan_gap_tally

chosen = state.current()
figures = queries.overview_figures(chosen)
st.title("14-19 partnerships: coverage and funding")
tables.data_notes(figures)

# Labels short enough to be read whole at 1280 px with the sidebar open; the help says the rest.
counts = st.columns(4)
counts[0].metric("Partnerships", count(figures["partnerships"]))
counts[1].metric(
    "Accredited",
    count(figures["accredited"]),
    help=f"Accredited on {clock.day_text(figures['as_of'])}; {figures['funded']} funded under this scenario.",
)
counts[2].metric(
    "Schools covered",
    f"{count(figures['schools_covered'])} of {count(figures['schools'])}",
    help="Open high schools, special schools and PRUs that are a full member of exactly one partnership.",
)
counts[3].metric(
    "Schools not covered",
    count(figures["schools_not_covered"]),
    help=f"{figures['schools_uncovered']} in no partnership, {figures['schools_in_several']} in more than one "
    "(a school has one local partnership). They are listed under the map.",
)
st.caption(plain(plan_gap_tally.overview_note(figures["schools_uncovered"], figures["schools_in_several"])))

row = st.columns(5)
row[0].metric(
    "Year 10, funded",
    count(figures["year10_funded"]),
    help="Year 10 in funded partnerships, the proxy the pot is shared by: Year 10 of the open high and special "
    f"schools that are full members of funded partnerships. {SHARED_SCHOOL} The Allocation page also shows "
    "Year 10 of all partnerships, funded or not.",
)
row[1].metric(
    "Year 10, not funded",
    count(figures["year10_outside_funded"]),
    help="Year 10 on the rolls of open high and special schools that are in no partnership, or only in unfunded ones.",
)
row[2].metric("Pot", money(chosen.total))
try:
    summary = queries.allocation_summary(chosen)
    row[3].metric("Largest share", money(summary["largest"]))
    row[4].metric("Smallest share", money(summary["smallest"]), help="The smallest share of a funded partnership.")
except queries.AllocationRefused as refusal:
    st.warning(f"No allocation with these settings: {plain(str(refusal))}")

tables.reviews_due(queries.reviews_due(chosen))
next_files = queries.next_to_load()
if next_files:
    st.info("Load next, on the Data page: " + "; ".join(plain(why) for why in next_files) + ".", icon=":material/upload_file:")

st.header("Map")
info = queries.dataset_info()
if info and info.get("description"):  # what the data is, its partnership codes' prefixes included
    st.caption(plain(info["description"]))
st.vega_lite_chart(queries.map_spec(chosen.as_of, figures["census_date"], chosen.changes, height=520), width="stretch")
tables.map_table(queries.map_table(chosen.as_of, figures["census_date"], chosen.changes), key="overview_map_table")
st.header("Schools not covered")
uncovered = queries.uncovered_schools(chosen.as_of, figures["census_date"], chosen.changes)
tables.show(
    uncovered.select(
        pl.col("name").alias("School"),
        pl.col("kind_label").alias("Kind"),
        pl.col("partnerships").alias("Partnerships"),
        pl.col("district").alias("District"),
    )
)
st.caption("Triangles with a black outline on the map. Institutions without a location are listed but not mapped.")
