"""Dashboard entry point: builds the default store on first run, then hands over to the pages."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import duckdb
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from a clone

from dashboard import access, collector, formatting, queries, state  # noqa: E402
from dashboard.formatting import plain  # noqa: E402
from pipelines.base import clock, config, logs  # noqa: E402
from pipelines.base.refusals import Failed, Refused  # noqa: E402
from pipelines.store import db

logs.setup()
collector.freeze_when_modules_grow()
# Not __name__: Streamlit runs this file as __main__, outside the "dashboard" logger set up above.
logger = logging.getLogger("dashboard.app")

# A file beside the app, not a named icon: nothing is fetched from the internet at run time.
st.set_page_config(page_title=formatting.SERVICE, page_icon=str(Path(__file__).resolve().parent / "icon.png"), layout="wide")
st.html(
    """<style>
    /* While the page is redrawn for new settings the download buttons on screen are the old
       ones: they look it, and a click on one waits for the redrawn button (download_guard.js). */
    html[data-downloads-waiting] [data-testid="stDownloadButton"] button { opacity: 0.55; cursor: progress; }
    html[data-downloads-held]::after {
      content: "Making the file for the settings on screen: it downloads when the page has redrawn.";
      position: fixed; right: 1rem; bottom: 1rem; z-index: 1000; padding: 0.5rem 0.75rem;
      background: #0b0c0c; color: #ffffff; border-radius: 0.25rem; }
    @media screen {
      /* Keyboard focus, GOV.UK's colours: a black ring (at least 3:1 on any light background)
         round a yellow one (against a blue button), on every control the keyboard reaches;
         Streamlit's own is a half-transparent blue (2:1 on white) or none. Where the focused
         element is hidden or clipped, the ring is on what is drawn for it: the frame of a text,
         number or date box or of a list, the label of a tick box or option, a slider's thumb
         (react-aria marks it), the table a grid's cell is in (the grid moves the
         focus itself, which a browser need not mark as the keyboard's). */
      :focus-visible, [data-focus-visible], label:has(input:focus-visible),
      :is([data-testid="stTextInputRootElement"], [data-testid="stTextAreaRootElement"],
          [data-testid="stNumberInputContainer"], [data-testid="stDateInputField"],
          [data-testid="stDateTimeInputField"], .react-aria-ComboBox > div):has(:focus-visible),
      [data-testid="stDataFrame"]:focus-within {
        outline: 3px solid #0b0c0c !important; outline-offset: 2px !important;
        box-shadow: 0 0 0 2px #ffdd00 !important; transition: none !important; }
      /* The main region (the skip link's target) fills the window: its ring is drawn inside. */
      [data-testid="stMain"]:focus-visible { outline-offset: -3px !important; box-shadow: inset 0 0 0 5px #ffdd00 !important; }
      /* A chart's or table's toolbar shows on hover, and was still transparent while one of its
         buttons had the keyboard's focus. */
      [data-testid="stElementToolbar"]:has(:focus-visible) {
        opacity: 1 !important; z-index: 1000 !important; transition: none !important; }
      /* A table written in words (the Cookies page's) fits a narrow window by wrapping its long
         names, so the page never scrolls sideways (WCAG 1.4.10, reflow at 320 px). */
      [data-testid="stMarkdownContainer"] table { width: 100%; table-layout: fixed; }
      [data-testid="stMarkdownContainer"] :is(th, td, th code, td code) { overflow-wrap: anywhere; white-space: normal; }
    }
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
# Our own script, read from the package (no user data in it): a click on a download button while
# the page redraws gives the file for the redrawn page, never the previous settings' file nor none.
st.html(
    f"<script>{(Path(__file__).resolve().parent / 'download_guard.js').read_text(encoding='utf-8')}</script>",
    unsafe_allow_javascript=True,
)
# Ours too: markup fixes to Streamlit's widgets that no style can make (see the script).
st.html(
    f"<script>{(Path(__file__).resolve().parent / 'aria_fixes.js').read_text(encoding='utf-8')}</script>",
    unsafe_allow_javascript=True,
)
PAGES = Path(__file__).resolve().parent / "app_pages"
NAVIGATION = [
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "allocation.py", title="Allocation", icon=":material/payments:"),
    st.Page(PAGES / "gaps.py", title="Coverage gaps", icon=":material/report:"),
    st.Page(PAGES / "partnerships.py", title="Partnerships", icon=":material/groups:"),
    st.Page(PAGES / "plan.py", title="Plan", icon=":material/edit_road:"),
    st.Page(PAGES / "scenarios.py", title="Scenarios", icon=":material/compare_arrows:"),
    st.Page(PAGES / "decisions.py", title="Decisions", icon=":material/gavel:"),
    st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
    # About this service, last and set apart by a gap: Streamlit's navigation sections would put
    # these links in a <div> inside the list (axe: list, listitem) under a heading no keyboard reaches.
    st.Page(PAGES / "accessibility.py", title="Accessibility", icon=":material/accessibility:"),
    st.Page(PAGES / "support.py", title="Support", icon=":material/support_agent:"),
    st.Page(PAGES / "cookies.py", title="Cookies", icon=":material/cookie:"),
]
st.html('<style>[data-testid="stSidebarNavItems"] > li:has(a[href$="/accessibility"]) { margin-top: 1.5rem; }</style>')
page_title = "(starting)"
try:
    queries.store_path()
    state.sidebar()
    with st.sidebar:
        access.sign_in_controls()
    navigation = st.navigation(NAVIGATION)
    page_title = navigation.title
    info = queries.dataset_info()
    st.set_page_config(page_title=formatting.browser_title(page_title, str(info["name"]) if info and info.get("name") else None))
    navigation.run()
except Refused as refusal:  # what the tool will not do as asked (e.g. another writer busy): said as it is
    logger.warning("page %r: %s", page_title, refusal)
    st.error(plain(str(refusal)), icon=":material/block:")
except Failed as failure:  # what the machine would not let it finish (a full disk): said as it is
    logger.warning("page %r: %s", page_title, failure)
    st.error(plain(str(failure)), icon=":material/error:")
except Exception as exc:  # st.stop() and st.rerun() raise BaseException subclasses: they pass through
    # The store may let a page down part-way (damaged since it was opened, held by another program):
    # that is said as it is, naming the store; anything else is a fault.
    meaning = db.store_problem(exc, config.DEFAULT_DB) if isinstance(exc, duckdb.Error) else None
    if meaning is not None:
        logger.warning("page %r: %s", page_title, meaning)
        st.error(plain(str(meaning)), icon=":material/error:")
    else:
        # The server log gets the traceback; the person at the screen gets a time to quote, not code.
        logged_at = clock.utc_now()
        logger.exception("page %r failed", page_title)
        st.error(
            f"Something went wrong: this page could not be shown. The error is in the server log at "
            f"{clock.uk_text(logged_at, seconds=True)} ({clock.iso_text(logged_at)}).",
            icon=":material/error:",
        )
