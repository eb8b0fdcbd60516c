"""Overview: what the store holds. The map, coverage and allocation figures come with the
allocation and dashboard work; until then this page proves the store is there and loaded."""

import streamlit as st

from dashboard import queries

st.title("14-19 partnerships in Norfolk")
st.caption("Default data: real Norfolk schools and colleges (DfE 2018/19); Year 10 is a proxy; "
           "rosters partly inferred; accreditation and previous allocation synthetic. See the Data page.")
counts = queries.table_counts()
columns = st.columns(4)
for column, (name, rows) in zip(columns * 2, counts.rows()):
    column.metric(name.replace("_", " ").capitalize(), f"{rows:,}")
