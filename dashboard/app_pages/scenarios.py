"""Scenarios: the what-ifs the Group saved. Reopen one as its link, compare two or three side by
side, delete one, or (data officers) approve one as the decision finance pays."""

import json

import polars as pl
import streamlit as st

from dashboard import access, charts, compare, queries, tables
from dashboard.formatting import plain
from pipelines.base import clock, free_text
from pipelines.outputs import records
from pipelines.rules import links
from pipelines.rules.allocate import AllocationRefused

st.title("Scenarios")
saved = queries.scenarios()
if saved.height == 0:
    st.info("No scenario is saved yet. Set the pot on the Allocation page and save it there.")
    st.page_link("app_pages/allocation.py", label="Go to Allocation", icon=":material/payments:")
    st.stop()

by_id = {row["scenario_id"]: row for row in saved.iter_rows(named=True)}


def _label(scenario_id: int) -> str:
    return f"#{scenario_id} {by_id[scenario_id]['name']}"


def _settings(scenario_id: int):
    return links.from_query(json.loads(by_id[scenario_id]["query_json"]))[0]


tables.show(
    saved.select(
        pl.col("scenario_id").alias("#"),
        pl.col("name").alias("Name"),
        pl.col("scenario_id").map_elements(lambda i: links.summary(_settings(i)), return_dtype=pl.String).alias("Settings"),
        pl.col("saved_by").alias("Saved by"),
        clock.uk_column("saved_at").alias("Saved"),
    )
)

st.header("Open, delete or approve one")
picked = st.selectbox(
    "Scenario", list(by_id), format_func=_label, key="scenario_pick", help="The scenario the buttons below act on."
)
query = json.loads(by_id[picked]["query_json"])
open_col, delete_col = st.columns([1, 1])
open_col.page_link(
    "app_pages/allocation.py", label="Open it on the Allocation page", icon=":material/open_in_new:", query_params=query
)
if query.get("plan"):
    open_col.page_link(
        "app_pages/plan.py", label="Open its membership plan on the Plan page", icon=":material/edit_road:", query_params=query
    )


def _ask_delete(scenario_id: int) -> None:
    """The scenario to delete is the one on screen when the button was pressed (bound as an
    argument), never whatever the picker holds by the time the confirmation comes."""
    st.session_state["scenario_delete_asked"] = (scenario_id, _label(scenario_id))


def _delete(scenario_id: int, label: str) -> None:
    st.session_state.pop("scenario_delete_asked", None)
    try:
        records.delete_scenario(queries.store_path(), scenario_id, access.signed_in_email() or "dashboard user")
    except ValueError:
        st.session_state["scenario_delete_result"] = (
            "error",
            f"{label} was already deleted (by someone else); nothing else was deleted.",
        )
    else:
        st.session_state["scenario_delete_result"] = ("ok", f"Deleted {label}.")
        st.session_state.pop("scenario_pick", None)


delete_col.button(
    "Delete it…",
    icon=":material/delete:",
    key="scenario_delete",
    on_click=_ask_delete,
    args=(picked,),
    help="Asks for confirmation first. Decisions made from a scenario keep their own frozen copy.",
)
asked = st.session_state.get("scenario_delete_asked")
if asked:
    with st.container(border=True):
        st.warning(f"Delete {plain(asked[1])}? This cannot be undone.", icon=":material/delete_forever:")
        yes, no, _ = st.columns([1, 1, 3])
        yes.button(f"Yes, delete #{asked[0]}", type="primary", key="scenario_delete_yes", on_click=_delete, args=asked)
        no.button("Cancel", key="scenario_delete_no", on_click=lambda: st.session_state.pop("scenario_delete_asked", None))
result = st.session_state.pop("scenario_delete_result", None)
if result:
    (st.error if result[0] == "error" else st.success)(plain(result[1]))

allowed, why_not = access.may_approve()
with st.expander("Approve as the Group's decision (data officers)", expanded=False):
    if not allowed:
        st.info(why_not)
    else:
        title = st.text_input(
            "Decision title",
            value=by_id[picked]["name"],
            max_chars=free_text.TITLE_LENGTH,
            help="How finance will know the decision.",
        )
        if st.button("Approve and freeze", type="primary", help="Freezes the figures and their files as the Group's decision."):
            try:
                approval = records.approve(
                    queries.store_path(),
                    query,
                    title=title,
                    approved_by=access.signed_in_email(),
                    scenario_name=by_id[picked]["name"],
                )
            except (AllocationRefused, ValueError) as refused:
                st.error(plain(f"Not approved: {refused}"))
            else:
                superseded = f"; it supersedes decision {approval.superseded}" if approval.superseded else ""
                st.success(f"Approved as decision {approval.decision_id}{superseded}.")
                st.page_link(
                    "app_pages/decisions.py",
                    label="Open the decision",
                    icon=":material/gavel:",
                    query_params={"d": str(approval.decision_id)},
                )

st.header("Compare side by side")
# The comparison is in the URL too (?compare=1,2), so it can be shared as a link.
if "compare_pick" not in st.session_state:
    linked, problems = links.record_ids(st.query_params.get("compare"), by_id, "scenario", 3)
    if problems:
        st.warning(plain(f"The link's comparison: {'; '.join(problems)}; comparing the rest."), icon=":material/link_off:")
    st.session_state.compare_pick = linked
chosen_ids = st.multiselect(
    "Two or three scenarios (differences are against the first)",
    list(by_id),
    format_func=_label,
    max_selections=3,
    key="compare_pick",
    help="Each on the current data; the chosen scenarios are kept in the page's address.",
)
wanted = ",".join(map(str, chosen_ids))
if st.query_params.get("compare", "") != wanted:
    if wanted:
        st.query_params["compare"] = wanted
    elif "compare" in st.query_params:
        del st.query_params["compare"]
if len(chosen_ids) >= 2:
    allocations = []
    for scenario_id in chosen_ids:
        try:
            allocations.append((_label(scenario_id), queries.allocation(_settings(scenario_id))))
        except AllocationRefused as refusal:
            st.warning(f"{plain(_label(scenario_id))} gives no allocation on the current data: {plain(str(refusal))}")
    if len(allocations) >= 2:
        table = compare.side_by_side(allocations)
        for scenario_id in chosen_ids:
            st.caption(f"{plain(_label(scenario_id))}: {plain(links.summary(_settings(scenario_id)))}")
        st.altair_chart(
            charts.difference_bars(compare.differences_long(table), compare.differences_description(table)), width="stretch"
        )
        shown = table.with_columns(pl.col(c).cast(pl.Float64) for c in table.columns if c not in ("Code", "Partnership"))
        named = {c: h for c, h in compare.headings([label for label, _ in allocations]).items() if c in table.columns}
        tables.show(
            shown,
            column_order=["Code", "Partnership", *named],
            column_config={
                "Code": st.column_config.TextColumn(width=140, pinned=True),
                "Partnership": st.column_config.TextColumn(width=165, pinned=True),
                **{
                    c: tables.money_column(label, help=why, width=95)
                    if c.endswith((": amount", ": protection"))
                    else st.column_config.NumberColumn(label, help=why, format="%.2f", width=95)
                    for c, (label, why) in named.items()
                },
            },
        )
else:
    st.caption("Pick at least two scenarios to compare.")
