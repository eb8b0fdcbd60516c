"""The dashboard starts on a store, building it on first run, and shows what is loaded."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines import settings

APP = str(settings.PROJECT_ROOT / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_overview_shows_the_store_counts(store, monkeypatch):
    monkeypatch.setattr(settings, "DEFAULT_DB", store)
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Institutions"] == "9"
    assert metrics["Memberships"] == "7"


def test_first_run_builds_the_default_store(tmp_path, monkeypatch):
    target = tmp_path / "first.duckdb"
    monkeypatch.setattr(settings, "DEFAULT_DB", target)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert target.exists()
    assert {m.label: m.value for m in app.metric}["Institutions"] == "93"


def test_data_page_lists_the_load_log(store, monkeypatch):
    monkeypatch.setattr(settings, "DEFAULT_DB", store)
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.switch_page("app_pages/data.py").run()
    assert not app.exception
    log = app.dataframe[1].value
    assert len(log) == 6 and set(log["kind"]) == {"register", "census", "roster", "accreditation", "health_check", "previous_allocation"}
