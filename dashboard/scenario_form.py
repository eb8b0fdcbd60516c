"""Save the sidebar's scenario (money settings and any draft plan) under a name: one form for
the Allocation and Plan pages, so a scenario saved from either reopens the same way."""

from __future__ import annotations

import streamlit as st

from dashboard import access, queries
from dashboard.formatting import plain
from pipelines.base import free_text
from pipelines.outputs import records
from pipelines.rules import links
from pipelines.rules.allocate import AllocationSettings


def save_form(chosen: AllocationSettings, placeholder: str) -> None:
    signed_in = access.signed_in_email()

    def _save() -> None:
        """On a failure what was typed stays; on success the name box empties for the next one."""
        who = signed_in or st.session_state.get("scenario_saved_by", "")
        try:
            scenario_id = records.save_scenario(
                queries.store_path(), st.session_state.get("scenario_name", ""), links.to_query(chosen), who
            )
        except ValueError as problem:
            st.session_state["scenario_save_result"] = ("error", str(problem))
        else:
            st.session_state["scenario_save_result"] = ("ok", f"Saved as scenario {scenario_id}.")
            st.session_state["scenario_name"] = ""

    st.text_input(
        "Name",
        max_chars=free_text.NAME_LENGTH,
        placeholder=placeholder,
        key="scenario_name",
        help="How the Group will know this what-if on the Scenarios page.",
    )
    st.text_input(
        "Saved by",
        value=signed_in,
        disabled=bool(signed_in),
        max_chars=free_text.NAME_LENGTH,
        key="scenario_saved_by",
        help="Written into the audit log with the scenario.",
    )
    st.button(
        "Save scenario",
        icon=":material/save:",
        on_click=_save,
        help="Saves every sidebar setting, and the draft membership plan if there is one, under the name.",
    )
    outcome = st.session_state.pop("scenario_save_result", None)
    if outcome:
        (st.error if outcome[0] == "error" else st.success)(plain(outcome[1]))
    st.page_link("app_pages/scenarios.py", label="Compare or approve saved scenarios", icon=":material/compare_arrows:")
