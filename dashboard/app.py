"""Dashboard entry point: builds the default store on first run, then hands over to the pages."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from a clone

from dashboard import queries  # noqa: E402

st.set_page_config(page_title="14-19 partnerships", page_icon=":material/school:", layout="wide")
st.html(
    """<style>
    @media print {
      [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], .stDownloadButton,
      [data-testid="stExpander"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stButton"],
      [data-testid="stPageLink"], [data-testid="stBottom"] { display: none !important; }
      html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
        height: auto !important; overflow: visible !important; }
      [data-testid="stMainBlockContainer"] { padding-bottom: 0 !important; }
      @page { size: A4; margin: 12mm; }
      .block-container { padding: 0 !important; max-width: 100% !important; }
    }
    </style>"""
)
queries.store_path()

PAGES = Path(__file__).resolve().parent / "app_pages"
navigation = st.navigation([
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "allocation.py", title="Allocation", icon=":material/payments:"),
    st.Page(PAGES / "gaps.py", title="Coverage gaps", icon=":material/report:"),
    st.Page(PAGES / "partnerships.py", title="Partnerships", icon=":material/groups:"),
    st.Page(PAGES / "scenarios.py", title="Scenarios", icon=":material/compare_arrows:"),
    st.Page(PAGES / "decisions.py", title="Decisions", icon=":material/gavel:"),
    st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
])
navigation.run()
