"""Partnerships: one partnership's members, Year 10, accreditation and allocation, for heads
and partnership managers to check (prints on A4 without the sidebar)."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import access, queries, state, tables
from dashboard.formatting import MISSING, SHARED_SCHOOL, count, money, plain
from pipelines.base import clock, free_text
from pipelines.ingest.load import accreditation_upload, load
from pipelines.ingest.problems import ValidationFailed

chosen = state.current()
accreditation = queries.accreditation(chosen.as_of, chosen.changes)
labels = dict(accreditation.select("partnership_code", "partnership_name").rows())
if not labels:
    st.info("No partnerships are loaded yet.")
    st.stop()
wanted = st.query_params.get("p")
codes = list(labels)
code = st.selectbox(
    "Partnership",
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: f"{c} — {labels[c]}",
    help="The partnership shown (kept in the page's address).",
)
if st.query_params.get("p") != code:
    st.query_params["p"] = code
st.title(plain(labels[code]))
tables.data_notes(queries.overview_figures(chosen))

record = accreditation.filter(pl.col("partnership_code") == code).row(0, named=True)
tables.reviews_due(queries.reviews_due(chosen).filter(pl.col("partnership_code") == code))
attribution = queries.attribution(chosen.as_of, queries.census_used(chosen), chosen.changes).filter(
    pl.col("partnership_code") == code
)
row = st.columns(4)
status = (record["status"] or "no decision").replace("_", " ")
row[0].metric(
    "Accreditation",
    status,
    help=f"Decided on {clock.day_text(record['decided_on'])}; review due {clock.day_text(record['review_due'], MISSING)}."
    if record["decided_on"]
    else None,
)
try:
    allocation = queries.allocation(chosen).filter(pl.col("partnership_code") == code).row(0, named=True)
    row[1].metric(
        "Year 10 counted",
        count(allocation["year10"]),
        help=f"Year 10 of its open high and special schools that are full members. {SHARED_SCHOOL}",
    )
    row[2].metric("Allocation at current settings", money(allocation["amount"], pence=chosen.unit != 1))
    row[3].metric("Manager days per week", f"{allocation['days_per_week']}", help=f"FTE {allocation['fte']}")
    st.caption(
        f"{plain(allocation['funding_reason'])}. Pot {money(chosen.total)}; "
        f"previous (2008/9 basis) {money(allocation['previous_amount'])}."
    )
except queries.AllocationRefused as refusal:
    row[1].metric("Year 10 counted", "—")
    row[2].metric("Allocation at current settings", "—")
    st.caption(f"No allocation with the current settings: {plain(str(refusal))}")

st.header("Year 10 by school")
tables.show(
    attribution.select(
        pl.col("name").alias("Member"),
        pl.col("kind_label").alias("Kind"),
        pl.col("role").alias("Role"),
        pl.col("year10_headcount").alias("Year 10 on roll"),
        pl.col("partnerships").alias("Partnerships it is in"),
        pl.col("counted_year10").cast(pl.Float64).alias("Counted here"),
        pl.col("not_counted_because").fill_null("").alias("Not counted because"),
    )
)

members = queries.partnership_members(code, chosen.as_of, chosen.changes)
st.header("Members by kind and role")
tables.show(members.group_by("kind", "role").len("members").sort("kind", "role"))

st.header("Health check")
checks = queries.health_checks(code, chosen.as_of)
if checks.height:
    tables.show(
        checks.select(
            pl.col("item").alias("Item"),
            pl.when(pl.col("met")).then(pl.lit("met")).otherwise(pl.lit("NOT met")).alias("Result"),
            pl.col("note").fill_null("").alias("Note"),
        )
    )
else:
    st.caption("No health-check items recorded for its latest decision.")

st.header("On the map")
census_date = queries.census_used(chosen)
st.vega_lite_chart(queries.map_spec(chosen.as_of, census_date, chosen.changes, height=420, partnership=code), width="stretch")
tables.map_table(queries.map_table(chosen.as_of, census_date, chosen.changes, partnership=code), key="partnership_map_table")

with st.expander("Record an accreditation decision (data officers)", icon=":material/verified:"):
    allowed, why_not = access.may_approve()
    if not allowed:
        st.info(why_not)
    else:
        with st.form("accreditation_decision"):
            new_status = st.selectbox(
                "Decision",
                ["accredited", "pending", "not_accredited", "lapsed"],
                format_func=lambda s: s.replace("_", " "),
                help="Only accredited partnerships are funded.",
            )
            decided_on = st.date_input(
                "Decided on", value=dt.date.today(), format="DD/MM/YYYY", help="The day of the health-check decision."
            )
            review_due = st.date_input(
                "Review due",
                value=dt.date.today() + dt.timedelta(days=365),
                format="DD/MM/YYYY",
                help="Accreditation is reviewed yearly; flagged 60 days before.",
            )
            notes = st.text_input("Notes", max_chars=free_text.NOTE_LENGTH, help="Kept with the decision and in the audit log.")
            if st.form_submit_button("Record the decision", type="primary"):
                # The same validation, load log and audit entry as a file loaded by the data officer.
                try:
                    upload = accreditation_upload(code, new_status, decided_on, review_due, notes, access.signed_in_email())
                    load(upload, queries.store_path())
                except free_text.FreeTextRefused as refused:
                    st.error(plain(f"Not recorded: {refused}."))
                except ValidationFailed as failure:
                    st.error("Not recorded:")
                    st.code(failure.report.format(), language=None)
                else:
                    st.success(f"Recorded: {plain(labels[code])} {new_status.replace('_', ' ')} on {clock.day_text(decided_on)}.")
