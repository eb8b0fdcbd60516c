"""A sidebar whose widget values Streamlit has dropped, run headless with AppTest.

A click on another page that reaches the server before the browser has drawn the sidebar (a
busy machine, a quick hand) makes Streamlit forget the sidebar widgets' values, as if they had
been removed from the page. The page must still show the scenario in force: the same pot on the
slider and in the figures, and no error."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard import APP, fresh_caches, open_page  # noqa: F401 - fixtures

from dashboard import state

DROPPED = [
    state.POT_SLIDER,
    state.W + "total_text",
    state.W + "lump_text",
    state.W + "unit",
    state.W + "pending",
    state.W + "treat",
    state.W + "missing",
    state.W + "rate",
    state.W + "weeks",
    state.W + "slice_text",
    state.W + "loss",
    state.W + "gain",
    state.W + "manager",
]


@pytest.mark.parametrize("page", ["allocation", "gaps", "plan"])
def test_the_scenario_survives_its_widgets_being_forgotten(store, monkeypatch, page):
    """The session as the server holds it after the drop: every value the pages keep, none of
    the sidebar widgets' own, and the address the session last wrote."""
    app = open_page(store, monkeypatch, None, total="3000", pending="1", loss="5", gain="10", manager="45000", lump="100")
    before = app.session_state[state.SETTINGS]
    kept = {key: value for key, value in app.session_state.items() if key not in DROPPED}
    assert set(DROPPED) <= set(app.session_state.keys())

    again = AppTest.from_file(APP, default_timeout=60)
    for key, value in app.query_params.items():
        again.query_params[key] = value
    for key, value in kept.items():
        again.session_state[key] = value
    again.switch_page(f"app_pages/{page}.py").run()

    assert not again.exception, [e.message for e in again.exception]
    assert again.session_state[state.SETTINGS] == before
    assert again.select_slider(key=state.POT_SLIDER).value == 3000
    assert again.text_input(key=state.W + "total_text").value == "£3,000.00"
    assert again.text_input(key=state.W + "lump_text").value == "£100.00"
    assert again.number_input(key=state.W + "loss").value == 5.0
    assert again.number_input(key=state.W + "manager").value == 45000.0
    assert again.toggle(key=state.W + "pending").value is True
