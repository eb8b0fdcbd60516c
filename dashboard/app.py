"""Dashboard entry point: builds the default store on first run, then hands over to the pages."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from a clone

from dashboard import queries  # noqa: E402

st.set_page_config(page_title="14-19 partnerships", page_icon=":material/school:", layout="wide")
queries.store_path()

PAGES = Path(__file__).parent / "app_pages"
navigation = st.navigation([
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
])
navigation.run()
