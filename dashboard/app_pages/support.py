"""Support: who to contact (the council sets it under [support] in the secrets file), where the
figures come from (read from the store, as the Data page shows it), and what to send when a
figure looks wrong, so the person who checks it sees the same figure."""

import streamlit as st

from dashboard import about, queries
from dashboard.formatting import plain
from pipelines.base import clock
from pipelines.store import provenance

st.title("Support")

st.header("Who to contact")
contact = about.support_contact()
if contact is None:
    st.info(plain(about.NO_CONTACT), icon=":material/info:")
else:
    st.markdown("Ask about the figures, report a problem or ask for help using the dashboard:")
    st.markdown("  \n".join(about.contact_lines(contact)))

st.header("Where the figures come from")
info = queries.dataset_info()
if info and info.get("name"):
    described = f" It describes {clock.day_text(info['reference_date'])}." if info.get("reference_date") else ""
    st.markdown(f"The figures are worked out from the data loaded into the dashboard: **{plain(str(info['name']))}**.{described}")
    if info.get("description"):
        st.markdown(plain(str(info["description"])))
else:
    st.markdown("The figures are worked out from the data loaded into the dashboard. The loaded data has no description.")
status = queries.data_status()
st.markdown(f"Data last loaded {plain(provenance.last_loaded_text(status))}. Each input, and how many of its rows are:")
st.markdown(
    "\n".join(
        f"- {plain(str(row['input']))}: {plain(str(row['breakdown'] or 'none loaded'))}" for row in status.iter_rows(named=True)
    )
)
warning = provenance.stand_in_warning(status)
if warning:
    st.warning(plain(warning), icon=":material/info:")
st.page_link(
    "app_pages/data.py",
    label="What each status means, every source note, the load log and the audit log are on the Data page",
    icon=":material/database:",
)

st.header("Report a figure that looks wrong")
st.markdown(
    "Send these to the contact above, so that whoever checks it sees the figure you saw:\n\n"
    "- the page's link: copy the address from your browser's address bar (it holds the page and every "
    "setting in the sidebar, such as the pot and the as-of date)\n"
    "- the partnership's code and name, for example LOC8 South Norwich\n"
    "- the figure that looks wrong, what you expected it to be and why\n"
    "- the decision's number, if the figure is in an approved decision (for example Decision 1 on the Decisions page)\n"
    "- the name of the file, if the figure is in a file you downloaded (for example a meeting pack or a spreadsheet)"
)
st.markdown(
    "Do not send learners' personal details: the figures are counts of learners, and nobody needs anyone's details to check one."
)
