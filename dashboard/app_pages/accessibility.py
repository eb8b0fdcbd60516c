"""Accessibility statement, in the form of GOV.UK's model statement for public sector websites:
what works, what does not yet (as tested, not as hoped), how to ask for another format or report
a problem, the enforcement procedure, the compliance status and how and when it was tested."""

import streamlit as st

from dashboard import about
from dashboard.formatting import SERVICE
from pipelines.base import clock

prepared = clock.day_text(about.STATEMENT_PREPARED)
tested = clock.day_text(about.LAST_TESTED)

st.title(f"Accessibility statement for the {SERVICE} dashboard")
st.markdown(
    "This statement applies to the 14-19 partnerships dashboard, which the council uses to share the "
    "partnership funding pot, plan which schools belong to which partnership and record the Strategy "
    "Group's decisions."
)
st.markdown(
    "The council runs this dashboard. We want as many people as possible to be able to use it. For example, "
    "that means you should be able to:\n\n"
    "- zoom in up to 400% with the text fitting the window, without scrolling sideways (wide tables and maps "
    "scroll within their own boxes)\n"
    "- read every figure in a table, as well as in a chart or on a map\n"
    "- use the buttons, lists, boxes, sliders and tables with a keyboard alone, a black and yellow ring showing "
    "where you are\n"
    "- find pages and sections with a screen reader: each page has its own title, one main heading and a "
    "heading for each section\n\n"
    "We have also made the text as simple as possible to understand."
)
st.markdown(
    "[AbilityNet](https://mcmw.abilitynet.org.uk/) has advice on making your device easier to use if you have a disability."
)

st.header("How accessible this dashboard is")
st.markdown(
    "We know some parts of this dashboard are not fully accessible:\n\n"
    "- the maps show a school's details (its name, kind, partnership and Year 10) only while the mouse "
    "pointer rests on its marker\n"
    "- when a button goes away once pressed (a Plan page suggestion, Cancel in a confirmation), the keyboard "
    "focus is not put anywhere: the next Tab goes on from where the button was, but a screen reader may not say "
    "where you are\n"
    "- a screen reader reads each chart and map as one picture, named by what it shows; each chart's figures are "
    "in a table on the same page, and that table is the accessible version (the maps' details: see below)\n"
    "- data tables are drawn as a picture with a table behind it for screen readers; that table holds only the rows "
    "and columns in view, so a screen reader reads a long table part by part as it scrolls\n"
    "- the meeting pack (PDF) is not a tagged PDF, so a screen reader cannot tell its headings and table "
    "headings from the rest of its text\n"
    "- at 400% zoom, the buttons of the Plan page's suggestions cut long school names short\n"
    "- we have not yet tested the dashboard with screen readers, screen magnifiers or speech recognition software"
)

st.header("Feedback and contact information")
st.markdown(
    "If you need any part of this dashboard in a different format, such as a spreadsheet, large print or "
    "an accessible PDF, or if you find a problem not listed on this page, contact:"
)
st.markdown("  \n".join(about.contact_lines(about.support_contact())))
st.markdown(
    "Say which page or file you were using and what you need. The allocation, the gaps, a decision's amounts "
    "and the audit log can also be downloaded as spreadsheets from their own pages."
)

st.header("Reporting accessibility problems with this dashboard")
st.markdown(
    "We're always looking to improve the accessibility of this dashboard. If you find any problems not "
    "listed on this page or think we're not meeting accessibility requirements, contact the team above."
)

st.header("Enforcement procedure")
st.markdown(
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
    "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility "
    "regulations'). If you're not happy with how we respond to your complaint, contact the "
    "[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/)."
)

st.header("Technical information about this dashboard's accessibility")
st.markdown(
    "The council is committed to making its websites accessible, in accordance with the Public Sector "
    "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018."
)
st.subheader("Compliance status")
st.markdown(
    f"This dashboard is partially compliant with the [Web Content Accessibility Guidelines version "
    f"{about.WCAG_VERSION}](https://www.w3.org/TR/WCAG22/) AA standard, due to the non-compliances listed below."
)

st.header("Non-accessible content")
st.markdown("The content listed below is non-accessible for the following reasons.")
st.subheader("Non-compliance with the accessibility regulations")
st.markdown(
    "- A school's details on the maps appear only while a mouse pointer rests on its marker, so they cannot be "
    "reached with a keyboard. This fails WCAG 2.2 success criterion 2.1.1 (Keyboard). The same details are in "
    'the table under every map ("The map as a table": every institution drawn, with its kind, partnerships, '
    "district and Year 10), and each partnership's schools are listed on the Partnerships page.\n"
    "- The meeting pack (PDF) is not tagged: its headings and table headings are not marked as such, and it does "
    "not say which language it is in. This fails WCAG 2.2 success criteria 1.3.1 (Info and Relationships) and "
    "3.1.1 (Language of Page). The same figures are on the Allocation page, and in its CSV and XLSX downloads.\n"
    "- At 400% zoom (a window 320 pixels wide), the buttons of the Plan page's suggestions cut long school names "
    "short. This fails WCAG 2.2 success criterion 1.4.10 (Reflow)."
)
st.subheader("Disproportionate burden")
st.markdown("We are not claiming that fixing any of these problems would be a disproportionate burden.")

st.header("What we're doing to improve accessibility")
st.markdown(
    "The automated checks described below run on every change to the dashboard, so that a page which passed "
    "does not start to fail unnoticed. We plan to make the meeting pack a tagged PDF, to let "
    "the maps' details be reached with a keyboard, "
    "to let the Plan page's suggestions be read whole at 400% zoom, and to test the dashboard with a screen reader."
)

st.header("Preparation of this accessibility statement")
st.markdown(f"This statement was prepared on {prepared}. It was last reviewed on {prepared}.")
st.markdown(
    f"This dashboard was last tested on {tested}. The test was carried out by the dashboard's developers, "
    "not by an outside auditor."
)
st.markdown(
    f"We tested every page, first without signing in and then signed in as a data officer, in the Chromium "
    f"browser. On each page, axe-core {about.AXE_CORE_VERSION} checked the rules of WCAG {about.WCAG_VERSION} "
    "levels A and AA and axe's best practices, with no failures. These checks run with the dashboard's automated "
    "tests on every change. The Allocation and Plan pages, and deleting a scenario, are also worked with the "
    "keyboard alone by an automated test, which checks at every step that the focused control is shown by a "
    "ring at least 2 pixels wide with a contrast of at least 3:1 against what is behind it. Another narrows "
    "every page to 320 pixels wide and checks that none scrolls sideways. Automated checks "
    "find some problems, not all: the problems listed above were found "
    "by the developers going through the pages and files by hand."
)
