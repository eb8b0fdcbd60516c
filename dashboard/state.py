"""The what-if settings of this session, held in the URL so every page and every shared link
sees the same scenario."""

from __future__ import annotations

import streamlit as st

from pipelines import links as scenario
from dashboard.formatting import plain
from pipelines.allocate import AllocationSettings


def current() -> AllocationSettings:
    chosen, problems = scenario.from_query(st.query_params.to_dict())
    for problem in problems:
        st.toast(plain(problem))  # the link's text is anyone's: never Markdown
    return chosen


def publish(chosen: AllocationSettings) -> None:
    """Write the settings into the URL (only if they changed, to avoid needless reruns)."""
    wanted = scenario.to_query(chosen)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
