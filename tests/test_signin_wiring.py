"""Who the records name, with sign-in faked at the AppTest level: a file loaded on the Data page
and a scenario saved on the Allocation page are written under the signed-in e-mail; without
sign-in the saver types their name."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.base import config
from tests.test_dashboard import OFFICER, fresh_caches, open_page  # noqa: F401 (fixture)


def _audit(store) -> list[tuple[str, str]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT actor, action FROM audit_log ORDER BY seq").fetchall()


def _saved_by(store) -> list[str]:
    with duckdb.connect(str(store), read_only=True) as con:
        return [row[0] for row in con.execute("SELECT saved_by FROM scenarios ORDER BY 1").fetchall()]


def test_a_dashboard_upload_is_recorded_under_the_signed_in_officer(store, monkeypatch):
    monkeypatch.setattr(config, "UPLOADS_ENABLED", True)
    app = open_page(store, monkeypatch, "data", user={"is_logged_in": True, "email": OFFICER}, auth=True)
    app.selectbox[0].set_value("census").run()
    app.get("file_uploader")[0].set_value(
        ("good.csv", b"urn,census_date,nc_year,headcount\n100001,2026-01-15,10,7\n", "text/csv")
    ).run()
    next(b for b in app.button if b.label == "Load it").click().run()
    assert "Loaded 1 rows." in app.success[0].value
    load_entries = [actor for actor, action in _audit(store) if "load" in action]
    assert load_entries and load_entries[-1] == OFFICER, _audit(store)
    assert not any("command line" in actor for actor in load_entries[-1:])


def test_a_signed_in_user_saves_under_their_e_mail_not_free_text(store, monkeypatch):
    viewer = "viewer@council.example"
    app = open_page(store, monkeypatch, "allocation", user={"is_logged_in": True, "email": viewer}, auth=True, total="10000")
    saved_by = app.text_input(key="scenario_saved_by")
    assert saved_by.value == viewer and saved_by.disabled
    app.text_input(key="scenario_name").input("Signed in")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Saved as scenario" in s.value for s in app.success)
    assert _saved_by(store) == [viewer]
    assert (viewer, "scenario_save") in _audit(store)


@pytest.mark.parametrize("auth", [False, True])
def test_without_sign_in_the_saver_types_their_name(store, monkeypatch, auth):
    app = open_page(store, monkeypatch, "allocation", auth=auth, total="10000")
    saved_by = app.text_input(key="scenario_saved_by")
    assert not saved_by.disabled and saved_by.value == ""
    app.text_input(key="scenario_name").input("Typed")
    saved_by.input("Chair of the Group")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert _saved_by(store) == ["Chair of the Group"]


def test_the_sidebar_offers_sign_in_on_every_page_and_names_who_is_signed_in(store, monkeypatch):
    app = open_page(store, monkeypatch, "scenarios", user={"is_logged_in": False}, auth=True)
    assert [b.label for b in app.sidebar.button if b.key == "sign_in"] == ["Sign in"]
    officer = open_page(store, monkeypatch, "overview", user={"is_logged_in": True, "email": OFFICER}, auth=True)
    assert any(OFFICER in c.value.replace("\\", "") and "(data officer)" in c.value for c in officer.sidebar.caption)
    assert [b.label for b in officer.sidebar.button if b.key == "sign_out"] == ["Sign out"]
    viewer = open_page(store, monkeypatch, "overview", user={"is_logged_in": True, "email": "head@school.example"}, auth=True)
    assert any("(viewer)" in c.value for c in viewer.sidebar.caption)
    unconfigured = open_page(store, monkeypatch, "overview")
    assert not [b for b in unconfigured.sidebar.button if b.key in ("sign_in", "sign_out")]
