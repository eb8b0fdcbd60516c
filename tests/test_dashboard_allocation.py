"""The Allocation page as an officer reads it, run headless with AppTest on the small store:
pounds per Year 10 learner, the total row, the change against the decision in force (or the
defaults), the money by district, and Undo of the last change to the settings."""

from __future__ import annotations

import json
import math

from test_dashboard import AS_OF, fresh_caches, open_page  # noqa: F401 - fixtures

from dashboard.formatting import MISSING
from pipelines.outputs import records


def _table(app):
    return next(d.value for d in app.dataframe if "Share %" in d.value.columns)


def _config(app, name: str) -> dict:
    """A column's heading, width and help as the page configures them (what a meeting reads)."""
    return json.loads(next(d for d in app.dataframe if "Share %" in d.value.columns).proto.columns)[name]


def _column(app, name: str) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in _table(app)[name]]


def test_pounds_per_year10_and_a_total_row_that_adds_up_to_the_pot(store, monkeypatch):
    # £1,000 off the top, £9,000 shared 120 : 200 -> £3,375 and £5,625.
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1", slice="1000")
    # The total's empty cells show the page's one placeholder for none, as every other empty cell.
    assert _column(app, "Code") == ["P1", "P2", "TOP-SLICE", None]
    assert next(d for d in app.dataframe if "Share %" in d.value.columns).proto.placeholder == MISSING
    assert _column(app, "Partnership")[-1] == "Total"
    assert _column(app, "Amount (£)") == [3375.0, 5625.0, 1000.0, 10000.0]
    # 3,375 / 120 = 28.125 and 5,625 / 200 = 28.125, to the penny halves up; the pot 10,000 / 320.
    assert _column(app, "£/Year 10") == [28.13, 28.13, None, 31.25]
    assert _column(app, "Year 10")[-1] == 320.0
    assert _column(app, "Days/week") == [0.29, 0.48, None, 0.77]  # £3,375 / (£300 x 39) = 0.288 ...
    assert _column(app, "Previous, 2008/9 (£)")[-1] == 3000.5
    assert _column(app, "Change (£)")[-1] == 5999.5
    assert any("The pot is £31.25 per Year 10 learner" in c.value for c in app.caption)


def test_the_change_is_against_the_defaults_when_no_decision_is_approved(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    # The defaults: £500,000 to P1, the only accredited partnership.
    assert _column(app, "Change vs defaults (£)") == [-490000.0, 0.0, -490000.0]
    heading = _config(app, "Change vs defaults (£)")  # short enough for a projector; the help names it
    assert heading["label"] == "vs defaults (£)" and heading["help"].startswith("Change vs defaults (£):")
    assert any("against the default settings" in c.value and "£500,000" in c.value for c in app.caption)


def test_the_change_is_against_the_decision_in_force(store, monkeypatch):
    for total in ("8000", "9000"):
        records.approve(store, {"total": total, "asof": AS_OF}, title=f"£{total}", approved_by="Chair")
    app = open_page(store, monkeypatch, "allocation", total="10000")
    assert "Change vs defaults (£)" not in _table(app).columns
    assert _column(app, "Change vs decision 2 (£)") == [1000.0, 0.0, 1000.0]  # decision 2 gave P1 £9,000
    heading = _config(app, "Change vs decision 2 (£)")
    assert heading["label"] == "vs #2 (£)" and heading["help"].startswith("Change vs decision 2 (£):")
    assert _config(app, "£/Year 10")["label"] == "£/Y10"
    assert any(
        "vs #2 (£), the change against decision 2, “£9000”" in c.value.replace("\\", "") and "the decision in force" in c.value
        for c in app.caption
    )


def test_money_by_district(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    assert not any("Partnerships" in d.value.columns for d in app.dataframe)  # worked out only when opened
    app.session_state["by_district_open"] = True  # as a click on the panel's heading
    app.run()
    districts = next(d.value for d in app.dataframe if "District" in d.value.columns and "Partnerships" in d.value.columns)
    # P1's schools are in Northtown, P2's counted school (Beta, 200) in Southtown.
    assert list(districts["District"]) == ["Northtown", "Southtown", "Total"]
    assert list(districts["Amount (£)"]) == [3750.0, 6250.0, 10000.0]
    assert list(districts["Year 10"]) == [120.0, 200.0, 320.0]
    assert any("split across the districts of its schools by their Year 10" in c.value for c in app.caption)


def _pot(app) -> str:
    return app.text_input(key="sc_total_text").value


def test_undo_brings_back_the_settings_before_each_change_in_turn(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    assert app.button(key="undo_settings").disabled
    app.select_slider(key="sc_slider").set_value(20000).run()
    app.toggle(key="sc_pending").set_value(True).run()
    undo = app.button(key="undo_settings")
    assert not undo.disabled and "Back to: £20,000 pot; rounded to £1;" in undo.help
    undo.click().run()
    assert (_pot(app), app.toggle(key="sc_pending").value) == ("£20,000.00", False)
    assert "pending" not in app.query_params and app.query_params["total"] == "20000"
    app.button(key="undo_settings").click().run()
    assert _pot(app) == "£10,000.00"
    assert app.query_params["total"] == "10000"
    assert _column(app, "Amount (£)")[0] == 10000.0
    assert app.button(key="undo_settings").disabled


def test_undo_after_the_address_changed_goes_back_to_the_settings_before_it(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    app.query_params["total"] = "40000"  # what the browser's Back (or an edited address) sends
    app.run()
    assert _pot(app) == "£40,000.00"
    app.button(key="undo_settings").click().run()
    assert _pot(app) == "£10,000.00"
    assert app.query_params["total"] == "10000"
