"""Cookies: the cookies and browser storage the dashboard really leaves (about.COOKIES and
about.LOCAL_STORAGE, held to what a browser holds by tests/test_e2e_signin.py), and that there are
no analytics and nothing from other websites."""

import streamlit as st

from dashboard import about
from dashboard.formatting import plain


def _table(items: tuple[about.Stored, ...]) -> str:
    rows = [f"| `{item.name}` | {plain(item.purpose)} | {plain(item.when)} | {plain(item.expires)} |" for item in items]
    return "\n".join(["| Name | What it is for | When it is set | When it expires |", "| --- | --- | --- | --- |", *rows])


st.title("Cookies")
st.markdown(
    "Cookies are small files saved on your computer by the websites you visit. This dashboard saves the few "
    "listed below, each of them needed for the dashboard to work. They are not used to track you or to "
    "measure how the dashboard is used, so we do not ask you to accept them."
)

st.header("Cookies the dashboard sets")
st.markdown("The sign-in cookies are set only where the council has switched sign-in on, and only when you sign in.")
st.markdown(_table(about.COOKIES))

st.header("What the dashboard keeps in your browser")
st.markdown(
    "Streamlit, the program the dashboard is built with, also keeps these in your browser's own storage for "
    "this website. They never leave your computer."
)
st.markdown(_table(about.LOCAL_STORAGE))

st.header("No analytics")
st.markdown(
    "The dashboard does not count visits or record what you click, and sends nothing to Streamlit or anyone "
    "else: Streamlit's usage statistics are switched off. Every page, picture and map comes from the council's "
    "own server, so no other website can set a cookie through the dashboard."
)
st.markdown(
    "When you sign in, you go to the council's sign-in service (Microsoft's, for example) for a moment. It sets "
    "its own cookies on its own website, and its own cookie notice lists them."
)

st.header("Removing the cookies")
st.markdown(
    "You can delete these cookies and the stored items in your browser's settings at any time. The dashboard "
    "then signs you out, and sets the cookies it needs again when you next open it."
)
