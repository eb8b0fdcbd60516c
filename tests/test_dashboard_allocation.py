"""The Allocation page as an officer reads it, run headless with AppTest on the small store:
Undo of the last change to the settings."""

from __future__ import annotations

from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures


def _pot(app) -> str:
    return app.text_input(key="sc_total_text").value


def test_undo_brings_back_the_settings_before_each_change_in_turn(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    assert app.button(key="undo_settings").disabled
    app.select_slider(key="sc_slider").set_value(20000).run()
    app.toggle(key="sc_pending").set_value(True).run()
    undo = app.button(key="undo_settings")
    assert not undo.disabled and "Back to: £20,000.00 pot; rounded to £1;" in undo.help
    undo.click().run()
    assert (_pot(app), app.toggle(key="sc_pending").value) == ("£20,000.00", False)
    assert "pending" not in app.query_params and app.query_params["total"] == "20000"
    app.button(key="undo_settings").click().run()
    assert _pot(app) == "£10,000.00"
    assert app.query_params["total"] == "10000"
    assert app.button(key="undo_settings").disabled


def test_undo_after_the_address_changed_goes_back_to_the_settings_before_it(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    app.query_params["total"] = "40000"  # what the browser's Back (or an edited address) sends
    app.run()
    assert _pot(app) == "£40,000.00"
    app.button(key="undo_settings").click().run()
    assert _pot(app) == "£10,000.00"
    assert app.query_params["total"] == "10000"
