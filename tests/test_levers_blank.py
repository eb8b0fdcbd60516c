"""Blank means none for every optional lever of the sidebar, run headless with AppTest: a cleared
loss limit, gain limit, manager cost or lump sum is none in the figures, the page's address, a
saved scenario and the exports; a typed 0 stays 0; the day rate and the weeks, which cannot be
none, keep their value and say so; and the Total pot slider shows a typed total beyond its usual
range.

The small store's two partnerships (P2 funded as pending) had £1,000 and £2,000.50 before and
have Year 10 of 120 and 200, so a pot of £3,000 shares as £1,125 / £1,875. A loss limit of 5%
floors P2 at £1,901 (P1 then £1,099); a gain limit of 10% caps P1 at £1,100 (P2 then £1,900);
both together give £1,099 / £1,901 (P2 is short of its floor by more than P1 is over its cap)."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import openpyxl
from test_dashboard import downloads, fresh_caches, open_page  # noqa: F401 - fixtures

from dashboard import state
from pipelines.rules import links

LEVERED = {"total": "3000", "pending": "1", "loss": "5", "gain": "10", "manager": "45000"}


def _amounts(app) -> list[float]:
    return _column(app, "Amount (£)")


def _column(app, name: str) -> list[float]:
    """A column of the Allocation table's partnership lines (its total row left out)."""
    table = app.dataframe[0].value
    return list(table[table["Partnership"] != "Total"][name])


def _settings(app):
    """The scenario this run's pages were given (the sidebar's, as the pages read it)."""
    return app.session_state[state.SETTINGS]


def _clear(app, key: str) -> None:
    app.number_input(key=key).set_value(None).run()
    assert not app.exception, [e.message for e in app.exception]


def test_clearing_the_loss_limit_takes_the_floor_off_everywhere(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **LEVERED)
    assert _amounts(app) == [1099.0, 1901.0]
    _clear(app, "sc_loss")
    assert app.number_input(key="sc_loss").value is None
    assert "loss" not in app.query_params and app.query_params["gain"] == "10"
    assert _settings(app).protect_loss is None
    assert _amounts(app) == [1100.0, 1900.0]  # only the cap is left: P1 held at £1,100


def test_clearing_the_gain_limit_takes_the_cap_off_everywhere(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **{**LEVERED, "loss": ""})
    assert _amounts(app) == [1100.0, 1900.0]
    _clear(app, "sc_gain")
    assert app.number_input(key="sc_gain").value is None
    assert "gain" not in app.query_params and "loss" not in app.query_params
    assert (_settings(app).protect_loss, _settings(app).protect_gain) == (None, None)
    assert _amounts(app) == [1125.0, 1875.0]  # the plain Year 10 split


def test_clearing_the_manager_cost_goes_back_to_the_day_rate(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **LEVERED)
    assert _column(app, "FTE") == [round(1099 / 45000, 3), round(1901 / 45000, 3)]
    _clear(app, "sc_manager")
    assert "manager" not in app.query_params and _settings(app).manager_cost is None
    # Days at the default £300 a day over 39 weeks, FTE their fifth.
    assert _column(app, "Days/week") == [round(1099 / (300 * 39), 2), round(1901 / (300 * 39), 2)]
    assert _column(app, "FTE") == [round(1099 / (300 * 39) / 5, 3), round(1901 / (300 * 39) / 5, 3)]


def test_a_typed_zero_stays_zero(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **{**LEVERED, "loss": ""})
    app.number_input(key="sc_gain").set_value(0.0).run()
    assert app.number_input(key="sc_gain").value == 0.0
    assert app.query_params["gain"] == "0" and _settings(app).protect_gain == 0
    # A 0% gain limit caps each at its previous amount: P1 £1,000, P2 £2,000 (rounded down).
    assert _amounts(app) == [1000.0, 2000.0]


def test_clearing_the_lump_sum_is_no_lump_sum(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="3000", pending="1", lump="1000")
    assert _settings(app).lump_sum == 1000
    app.text_input(key="sc_lump_text").input("").run()
    assert app.text_input(key="sc_lump_text").value == ""  # left blank, not written back as a number
    assert not app.sidebar.warning
    assert "lump" not in app.query_params and _settings(app).lump_sum == 0
    assert _amounts(app) == [1125.0, 1875.0]


def test_the_day_rate_and_the_weeks_cannot_be_cleared_unnoticed(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="3000", pending="1", rate="250", weeks="38")
    _clear(app, "sc_rate")
    assert app.number_input(key="sc_rate").value == 250.0 and app.query_params["rate"] == "250"
    assert any("day rate cannot be blank; it stays £250.00" in w.value.replace("\\", "") for w in app.sidebar.warning)
    _clear(app, "sc_weeks")
    assert app.number_input(key="sc_weeks").value == 38.0 and app.query_params["weeks"] == "38"
    assert any("Weeks per year cannot be blank; it stays 38" in w.value.replace("\\", "") for w in app.sidebar.warning)
    assert _column(app, "Days/week") == [round(1125 / (250 * 38), 2), round(1875 / (250 * 38), 2)]


def test_a_scenario_saved_after_clearing_has_no_lever_and_reopens_without_one(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **LEVERED)
    for key in ("sc_loss", "sc_gain", "sc_manager"):
        _clear(app, key)
    form = {t.label: t for t in app.text_input if t.label in ("Name", "Saved by")}
    form["Name"].input("Levers cleared")
    form["Saved by"].input("Chair of the Group")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Saved as scenario 1" in s.value for s in app.success)
    con = duckdb.connect(str(store), read_only=True)
    try:
        (saved,) = con.execute("SELECT query_json FROM scenarios").fetchone()
    finally:
        con.close()
    query = json.loads(saved)
    assert not {"loss", "gain", "manager"} & set(query)
    chosen, problems = links.from_query(query)
    assert problems == [] and (chosen.protect_loss, chosen.protect_gain, chosen.manager_cost) == (None, None, None)


def test_the_exports_say_none_for_a_cleared_lever(store, monkeypatch, downloads):  # noqa: F811 - the fixture
    app = open_page(store, monkeypatch, "allocation", **LEVERED)
    downloads.clear()
    _clear(app, "sc_loss")
    book = openpyxl.load_workbook(io.BytesIO(next(v for k, v in downloads.items() if k.endswith(".xlsx"))))
    about = dict(book["About"].iter_rows(max_col=2, values_only=True))
    assert about["Transition protection against the 2008/9 amounts"] == "no floor; none above 110.00% of its previous amount"
    assert about["County top-slice"] == "none" and about["Lump sum per funded partnership"] == "none"
    csv_text = next(v for k, v in downloads.items() if k.endswith(".csv")).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(csv_text)))
    assert row["Loss limit (%)"] == "" and row["Gain limit (%)"] == "10.00"  # blank: none
    _clear(app, "sc_gain")
    _clear(app, "sc_manager")
    book = openpyxl.load_workbook(io.BytesIO(next(v for k, v in downloads.items() if k.endswith(".xlsx"))))
    about = dict(book["About"].iter_rows(max_col=2, values_only=True))
    assert about["Transition protection against the 2008/9 amounts"] == "none (no floor, no cap)"
    assert about["Staffing figures"].startswith("no manager cost: days/week = amount ÷ (day rate × weeks per year)")


def test_a_typed_total_beyond_the_slider_moves_the_slider_with_it(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    app.text_input(key="sc_total_text").input("£2,500,000").run()
    slider = app.select_slider(key="sc_slider")
    assert slider.value == 2_500_000 and slider.options[-1] == "£3,000,000"
    assert not [c for c in app.sidebar.caption if "beyond the slider" in c.value]
    slider.set_value(2_501_000).run()  # a step of £1,000 from the typed total, as the arrow keys move it
    assert app.query_params["total"] == "2501000"
    assert app.text_input(key="sc_total_text").value == "£2,501,000.00"
    slider.set_value(1_500_000).run()  # back in the usual range: the usual scale
    assert app.select_slider(key="sc_slider").options[-1] == "£2,000,000"
    app.text_input(key="sc_total_text").input("£25,000,000").run()  # beyond the furthest it stretches: said beside it
    assert app.select_slider(key="sc_slider").value == state.SLIDER_CEILING
    assert any("£25,000,000.00, is beyond the slider" in c.value.replace("\\", "") for c in app.sidebar.caption)
    assert app.query_params["total"] == "25000000"


def test_a_link_with_blank_levers_opens_with_none_and_no_complaint():
    """An address edited by hand (``?loss=&lump=``) means none, as a cleared box does."""
    blank = {"total": "3000", "lump": "", "slice": "", "slicepct": "", "loss": "", "gain": "", "manager": ""}
    chosen, problems = links.from_query(blank)
    assert problems == []
    assert (chosen.lump_sum, chosen.top_slice, chosen.top_slice_pct) == (0, 0, None)
    assert (chosen.protect_loss, chosen.protect_gain, chosen.manager_cost) == (None, None, None)
    assert links.to_query(chosen) == {"total": "3000"}
