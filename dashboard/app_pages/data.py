"""Data: what is loaded, from which files (name, sha256, rows, time)."""

import streamlit as st

from dashboard import queries

st.title("Data loaded")
st.dataframe(queries.table_counts(), hide_index=True)
st.subheader("Load log")
st.dataframe(queries.load_log(), hide_index=True)
