"""Data: what is loaded and where it came from; templates; and, when enabled, an upload that
runs the command line's validation and loads only a file that passes."""

import polars as pl
import streamlit as st

from dashboard import access, queries, tables
from dashboard.formatting import plain
from pipelines.base import clock, config, invocation
from pipelines.ingest.layouts import KINDS
from pipelines.ingest.load import Upload, check_file, load
from pipelines.ingest.problems import ValidationFailed, check_summary
from pipelines.ingest.templates import template_files
from pipelines.outputs import exports
from pipelines.store import provenance

st.title("Data")
st.header("What the store holds")
tables.show(queries.table_counts())

st.header("What the figures are")
status = queries.data_status()
st.caption(
    f"Data last loaded {provenance.last_loaded_text(status)}. Each input's status is read from the source notes "
    "in its own file: real (a source is named), proxy, inferred or synthetic (the note says so), or unlabelled "
    "(no note: as loaded). Exports to finance carry the same table."
)
warning = provenance.stand_in_warning(status)
if warning:
    st.warning(plain(warning), icon=":material/info:")
tables.show(
    status.select(
        pl.col("input").alias("Input"),
        pl.col("status").fill_null("none loaded").alias("Status"),
        pl.col("rows").alias("Rows with this status"),
        pl.col("total_rows").alias("All rows"),
        pl.col("breakdown").alias("Every status"),
        pl.col("example_note").alias("Example source note"),
        pl.col("meaning").alias("What the status means"),
    )
)
with st.expander("Every source note in the store"):
    tables.show(queries.provenance())

st.header("Load log")
tables.show(queries.load_log().with_columns(clock.uk_column("loaded_at")))

st.header("Audit log")
audit = queries.audit_log()
audit_verdict = queries.audit_verdict()
if audit_verdict.intact:
    # A caption, as before (the page's success messages are the upload's), in words alone: an icon
    # in a line of text is read out by its name ("verified_user icon").
    decisions = (
        f"the lines and frozen files of all {audit_verdict.decisions:,} decisions match what their approvals sealed"
        if audit_verdict.decisions
        else "there is no decision yet"
    )
    st.caption(
        f"Audit log intact: {audit_verdict.entries:,} entries, each sealed with the audit key and chained to the one "
        f"before; {decisions}; every load, saved scenario and decision has its entry."
    )
elif audit_verdict.key_id is None or audit_verdict.only_unverifiable:  # not proved: shown as a break, never a warning
    st.error(
        "The audit log cannot be verified here: treat it as changed until it is checked with the store's key.\n\n"
        + "\n".join(f"- {plain(problem)}" for problem in (audit_verdict.problems() or [audit_verdict.summary()])),
        icon=":material/gpp_bad:",
    )
else:
    st.error(
        "The audit log or the decisions have been changed outside this tool:\n\n"
        + "\n".join(f"- {plain(problem)}" for problem in audit_verdict.problems()),
        icon=":material/gpp_bad:",
    )
for note in audit_verdict.notes():
    st.caption(plain(note))
st.caption(
    f"{audit.height} entries, newest first. Nothing in the tool changes or deletes an entry. Exports say where the log "
    f"stood when they were made (audit log: N entries, head ...); check one with: {invocation.command('audit --anchor N:HEX')}."
)
tables.show(audit.with_columns(clock.uk_column("recorded_at")), height=300)
tables.download(st, "Download the audit log (CSV)", lambda: exports.audit_csv(audit), "audit_log.csv")

st.header("Templates")
cols = st.columns(4)
for index, (name, text) in enumerate(template_files().items()):
    tables.download(cols[index % 4], name, text.encode("utf-8"), name, key=f"template_{name}")
st.subheader("Colleges and training providers")
st.caption(
    plain(
        "A store built for an authority from the England data pack lists colleges by URN only, with no UKPRN, and no "
        "work-based learning (training) providers. Add them with a file in the register template's layout, one row per "
        "provider: its ukprn (8 digits), name, kind (college or wbl_provider), status (open) and, to map it, latitude "
        "and longitude; for a college already listed, give its urn too and its other columns as listed (the row "
        "replaces it), so the UKPRN is added to it rather than to a second college. Load it as a register, below or with: "
        f"{invocation.command('load register FILE')}. A register file adds to the register: institutions it does "
        "not list are kept."
    )
)

st.header("Load a file")
allowed, why_not = access.may_load_data()
if not allowed:
    st.info(why_not)
    if config.UPLOADS_ENABLED and access.auth_configured() and not st.user.is_logged_in:
        st.caption("Sign in with the button in the sidebar.")
    st.stop()
st.caption(f"Signed in as {plain(str(st.user.get('email', '')))} (data officer).")
kind = st.selectbox("What the file holds", KINDS, help="The layout the file is checked against (see the templates above).")
uploaded = st.file_uploader(
    "CSV or XLSX", type=list(config.UPLOAD_TYPES), help="Checked in full first; loaded only if it passes, in one transaction."
)
if uploaded is not None:
    data = uploaded.getvalue()
    if len(data) > config.MAX_UPLOAD_MB * 1_000_000 or uploaded.name.rsplit(".", 1)[-1].lower() not in config.UPLOAD_TYPES:
        st.error(f"Only CSV or XLSX files of at most {config.MAX_UPLOAD_MB} MB can be loaded.")
        st.stop()
    upload = Upload(kind, uploaded.name, data, actor=access.signed_in_email())
    checked = check_file(upload, queries.store_path())
    report = checked.report
    verdict = "passes" if checked.ok else "fails"
    st.markdown(
        f"**{plain(upload.name)}** {verdict}: {len(report.errors)} error(s), {len(report.warnings)} warning(s), "
        f"{report.rows} rows."
    )
    tables.show(pl.DataFrame(check_summary(report), schema=["check", "outcome", "problems"], orient="row"))
    if report.problems:
        tables.show(
            pl.DataFrame(
                [
                    {"severity": p.severity, "row": p.row, "column": p.column, "value": p.value, "expected": p.expected}
                    for p in report.problems
                ],
                schema={"severity": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String, "expected": pl.String},
            )
        )
    if checked.ok and st.button("Load it", type="primary"):
        try:
            result = load(upload, queries.store_path())
        except ValidationFailed as failure:
            # The store refusing a checked file is not the store changing under it.
            refused = any(p.check == "store" for p in failure.report.errors)
            st.error(
                f"The store refused {plain(upload.name)}; nothing was loaded:"
                if refused
                else "The store changed while checking; the file now fails:"
            )
            st.code(failure.report.format(), language=None)
        else:
            st.success("Nothing changed: identical to the latest load." if result.skipped else f"Loaded {result.rows} rows.")
