"""Plan: try membership changes against the gaps and the money, then hand an agreed plan to a
data officer, whose approval loads its roster. The draft lives in the session's scenario (so
every page and the address carry it); nothing here writes to the store but that approval."""

import dataclasses
import hashlib

import streamlit as st

from dashboard import access, plan_tables, plan_view, queries, scenario_form, state, tables
from dashboard.formatting import money, plain
from dashboard.plan_view import apply, apply_best, best_outcome, change_form, side_by_side
from pipelines.base import invocation
from pipelines.ingest.problems import ValidationFailed
from pipelines.rules import plan, plan_file

chosen = state.current()
draft = st.session_state.get(state.PLAN, ())
loaded = dataclasses.replace(chosen, changes=())

st.title("Plan the partnership map")
st.caption(
    "Try membership changes and see what they do to the coverage gaps and the money. The plan is part of the "
    "scenario: every page shows the map after it, and the page's address carries it. Nothing in the data "
    "changes until a data officer approves the plan, which loads its roster like a roster file."
)

for problem in st.session_state.pop(plan_view.ERRORS, []):
    st.error(plain(problem), icon=":material/block:")
for note in st.session_state.pop(plan_view.NOTES, []):
    st.success(plain(note), icon=":material/check_circle:")
for warning in st.session_state.pop(plan_view.WARNINGS, []):
    st.warning(plain(warning), icon=":material/warning:")

# --- 1. Suggestions ---------------------------------------------------------------------------
st.header("Suggestions", divider="gray")
gaps = plan_tables.gaps_with_alternatives(queries.suggestions(chosen))
labels = dict(queries.gap_codes().select("code", "label").rows())
tally = queries.gap_tally(chosen)
if not gaps:
    st.success("No gap on this map can be closed by a membership change.", icon=":material/check_circle:")
    st.caption(plain(tally.why_they_differ()))
else:
    codes = sorted({g.code for g in gaps})
    picked = st.pills(
        "Kinds of gap", codes, selection_mode="multi", default=codes, key="plan_codes", format_func=lambda c: labels.get(c, c)
    )
    shown = [g for g in gaps if g.code in (picked or [])]
    st.caption(
        plain(tally.plan_count(len(gaps)))
        + " Click an alternative to add it to the draft plan (best first; hover for the reason). "
        "The suggestions are worked out again on the map after the plan so far."
    )
    st.button(
        "Apply the best alternative for every gap shown",
        icon=":material/done_all:",
        key="plan_apply_best",
        disabled=not shown,
        on_click=apply_best,
        args=(tuple(picked or ()),),
        help="Worked out on the draft as it grows: gaps in order (errors first), each alternative taken only if "
        "it closes its gap without opening one closed before; the gaps it cannot close are listed with why. "
        "It takes some seconds: the page shows each round as it goes.",
    )
    best_outcome(draft, labels)
    limit = 30
    for gap in shown[:limit]:
        left, right = st.columns([2, 5], vertical_alignment="center")
        left.markdown(f"**{plain(gap.subject)}**  \n{labels.get(gap.code, gap.code)}")
        # Buttons as wide as their words, wrapping onto a second line rather than cut short.
        row = right.container(horizontal=True, gap="small")
        for alternative in gap.alternatives:
            row.button(
                plain(alternative.label),
                key="plan_apply_" + alternative.key,
                help=plain(alternative.reason),
                on_click=apply,
                args=(alternative.changes, alternative.label),
                disabled=not alternative.changes,
                type="primary" if alternative.rank == 1 else "secondary",
            )
    if len(shown) > limit:
        st.caption(f"… and {len(shown) - limit} more gaps: pick fewer kinds above, or apply the best for all.")
    # Below the buttons: its numbers change with each click, and so may its length.
    st.caption(plain(tally.why_they_differ()))

# --- 2. The draft -----------------------------------------------------------------------------
st.header("Draft plan", divider="gray")
points = queries.map_institutions(loaded.as_of, queries.census_used(loaded))
names = dict(points.select("institution_id", "name").rows())
accreditation = queries.accreditation(loaded.as_of)
partnerships = dict(accreditation.select("partnership_code", "partnership_name").rows())
if not draft:
    st.info("No changes yet: apply a suggestion, add a change by hand, or open a plan file.", icon=":material/edit_road:")
else:
    table = plan_tables.draft_table(draft, names, partnerships)
    # The selection belongs to this draft: after a change is taken out the table starts with none
    # selected, so a selected row never points at a change that moved into its place.
    rows_key = "plan_draft_rows_" + hashlib.sha256(repr(draft).encode()).hexdigest()[:12]
    with st.container(key="plan_draft_table"):
        tables.show(table, key=rows_key, on_select="rerun", selection_mode="multi-row")
    # The table's row selection works from the keyboard too, but nothing on screen says how.
    st.caption(
        "Select the changes to take out by clicking their rows, or from the keyboard: Tab into the table, "
        "move to a change with the arrow keys and press Shift+Space (again to unselect it; Esc unselects all)."
    )
    selected = st.session_state.get(rows_key, {}).get("selection", {}).get("rows", [])
    remove, discard, *_ = st.columns([2, 2, 3])
    remove.button(
        f"Take out the selected changes ({len(selected)})",
        icon=":material/remove_done:",
        key="plan_take_out",
        disabled=not selected,
        on_click=state.set_plan,
        args=(tuple(c for i, c in enumerate(draft) if i not in set(selected)),),
    )
    discard.button(
        "Discard the draft plan", icon=":material/delete_sweep:", key="plan_discard", on_click=state.set_plan, args=((),)
    )

with st.expander("Add a change by hand", icon=":material/add_circle:"):
    change_form(draft, names, partnerships)

with st.expander("Open a plan file", icon=":material/upload_file:"):
    st.caption(
        f"A CSV or XLSX with the columns of the suggestions (`{invocation.command('suggest --out FILE')}`), edited "
        "or not. Opening it replaces the draft."
    )
    upload = st.file_uploader("Plan file", type=["csv", "xlsx"], key="plan_upload")
    if upload is not None and st.button("Open this plan", key="plan_open", icon=":material/file_open:"):
        changes, row_labels, report = plan_file.read_changes(upload.name, upload.getvalue())
        if report.ok:
            with queries.cursor() as con:
                plan_file.check_against_store(con, changes, row_labels, loaded.as_of, report)
        if report.ok:
            state.set_plan(changes)
            st.session_state["plan_message_notes"] = [f"Opened {upload.name}: {len(plan.effective(changes))} changes."]
            st.rerun()
        st.error(plain(report.format()), icon=":material/block:")

if st.session_state.get(state.PLAN_LOADED):
    st.info(plain(state.already_loaded_text(len(draft))), icon=":material/task_alt:")
    st.stop()
if st.session_state.get(state.PLAN_SET_ASIDE):
    st.error(
        plain("This plan does not fit the loaded data: " + "; ".join(st.session_state[state.PLAN_SET_ASIDE])),
        icon=":material/rule:",
    )
    st.stop()
if not chosen.changes:
    st.stop()

# --- 3. Side by side --------------------------------------------------------------------------
st.header("Loaded rosters and the draft, side by side", divider="gray")
side_by_side(loaded, chosen, labels)

# --- 4. Keep, share, approve ------------------------------------------------------------------
st.header("Keep, share or approve the draft", divider="gray")
roster = queries.proposed_roster(chosen.changes, chosen.as_of)
files = st.columns(3)
tables.download(
    files[0],
    "Plan file (CSV)",
    plan.changes_csv(chosen.changes),
    "membership_plan.csv",
    key="plan_download_changes",
    help=f"The changes, in the suggestions' columns: `{invocation.command('plan --changes')}` reads it.",
)
tables.download(
    files[1],
    "Proposed roster (CSV)",
    plan.roster_csv(roster),
    "proposed_roster.csv",
    key="plan_download_roster",
    help=f"The whole roster after the plan ({roster.height} rows), in the roster loader's layout.",
)
st.caption("To share the draft, copy this page's address: it carries the plan and the money settings.")
with st.expander("Save the draft as a scenario", icon=":material/bookmark_add:"):
    scenario_form.save_form(chosen, f"For example, plan of {len(chosen.changes)} changes, {money(chosen.total)}")

allowed, why_not = access.may_approve()
st.subheader("Approve the plan")
st.caption(
    "Approving loads the proposed roster through the roster loader: the same checks, load log and audit log as "
    "a file. Finance decisions are then approved on the loaded rosters."
)
if not allowed:
    st.info(
        plain(why_not) + f" On the command line: `{invocation.command('plan --changes FILE --load --by NAME')}`.",
        icon=":material/lock:",
    )
else:
    if st.button("Approve the plan and load its roster", type="primary", icon=":material/how_to_reg:", key="plan_approve"):
        try:
            result = plan_file.load_plan(queries.store_path(), chosen.changes, chosen.as_of, access.signed_in_email())
        except ValidationFailed as failure:
            st.error(plain(failure.report.format()), icon=":material/block:")
        except queries.AllocationRefused as refusal:
            st.error(plain(str(refusal)), icon=":material/block:")
        else:
            state.set_plan(())
            st.session_state["plan_message_notes"] = [
                f"The plan's roster is loaded ({result.rows} rows, sha256 {result.sha256[:12]}); the draft is cleared."
            ]
            st.rerun()
