"""The operator's view: loads, refusals and approvals reach the log with what was done and by
whom, the level is set from the environment, and a failing dashboard page shows a message while
the traceback goes to the server log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
import streamlit as st
from conftest import BAD
from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.base import config, logs
from pipelines.ingest.load import Upload, load
from pipelines.ingest.problems import ValidationFailed
from pipelines.outputs import records

LINK = {"total": "10000", "pending": "1", "asof": "2025-09-01"}


def _census(tmp_path, headcount: int = 123) -> Upload:
    path = tmp_path / "census_2025_update.csv"
    path.write_text(f"urn,census_date,nc_year,headcount\n100001,2025-01-16,10,{headcount}\n")
    return Upload.from_path("census", path)


def test_a_load_logs_its_file_kind_rows_digest_and_outcome(store, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipelines")
    upload = _census(tmp_path)
    load(upload, store)
    [line] = [r for r in caplog.records if r.name == "pipelines.ingest.load"]
    assert line.levelno == logging.INFO
    message = line.getMessage()
    assert message.startswith("loaded census_2025_update.csv (census): 1 rows")
    assert f"sha256 {upload.sha256[:12]}" in message
    caplog.clear()
    load(upload, store)
    assert "load skipped: census_2025_update.csv" in caplog.records[0].getMessage()


def test_a_refused_load_logs_the_refusal_and_its_reason(store, caplog):
    caplog.set_level(logging.INFO, logger="pipelines")
    with pytest.raises(ValidationFailed):
        load(Upload.from_path("census", BAD / "census_bad_date.csv"), store)
    [line] = [r for r in caplog.records if r.name == "pipelines.ingest.load"]
    assert line.levelno == logging.WARNING
    message = line.getMessage()
    assert message.startswith("load refused: census_bad_date.csv (census)")
    assert "row 2, column 'census_date'" in message


def test_an_approval_logs_the_decision_and_who_approved(store, caplog):
    caplog.set_level(logging.INFO, logger="pipelines")
    approval = records.approve(store, LINK, title="2025/26 capacity", approved_by="officer@council.example")
    messages = [r.getMessage() for r in caplog.records if r.name == "pipelines.outputs.records"]
    assert any(
        m.startswith(f"decision {approval.decision_id} approved by officer@council.example: '2025/26 capacity'") for m in messages
    ), messages


def test_a_refused_approval_and_scenario_changes_are_logged(store, caplog):
    caplog.set_level(logging.INFO, logger="pipelines")
    with pytest.raises(ValueError):
        records.approve(store, {**LINK, "total": "abc"}, title="Bad", approved_by="Chair")
    scenario_id = records.save_scenario(store, "Draft", LINK, "Chair")
    records.delete_scenario(store, scenario_id, "Vice chair")
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "pipelines.outputs.records"]
    assert messages[0][0] == "WARNING" and messages[0][1].startswith("approval refused (by Chair, 'Bad')")
    assert messages[1:] == [
        ("INFO", f"scenario {scenario_id} saved: 'Draft' by Chair"),
        ("INFO", f"scenario {scenario_id} deleted: 'Draft' by Vice chair"),
    ]


def test_setup_is_idempotent_and_stamps_lines_in_utc(monkeypatch):
    monkeypatch.setenv(logs.LEVEL_ENV, "warning")
    logs.setup()
    logs.setup()
    named = logging.getLogger("pipelines")
    try:
        assert named.level == logging.WARNING
        [handler] = [h for h in named.handlers if isinstance(h, logs._StderrHandler)]
        record = logging.LogRecord("pipelines.x", logging.WARNING, __file__, 1, "hello", None, None)
        record.created = 1_782_900_000  # 2026-07-01 10:00:00 UTC, 11:00 BST
        assert handler.format(record) == "2026-07-01T10:00:00Z WARNING pipelines.x: hello"
        assert logs.resolve_level("nonsense") == logging.INFO
    finally:
        logs.setup("INFO")


def _cli(*args: str, level: str) -> subprocess.CompletedProcess:
    env = {**os.environ, logs.LEVEL_ENV: level}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=config.PROJECT_ROOT,
        timeout=300,
    )


def test_the_level_comes_from_the_environment(store, tmp_path):
    done = _cli("gaps", "--db", str(store), level="WARNING")
    assert done.returncode == 0, done.stderr
    assert " INFO " not in done.stderr
    upload = tmp_path / "census_2025_update.csv"
    upload.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,123\n")
    quiet = _cli("load", "census", str(upload), "--db", str(store), level="WARNING")
    assert quiet.returncode == 0 and " INFO " not in quiet.stderr, quiet.stderr
    upload.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,124\n")
    told = _cli("load", "census", str(upload), "--db", str(store), level="INFO")
    assert told.returncode == 0, told.stderr
    assert "Z INFO pipelines.ingest.load: loaded census_2025_update.csv (census): 1 rows" in told.stderr


@pytest.mark.page_error_expected
def test_a_failing_page_shows_a_message_and_logs_the_traceback(store, monkeypatch, caplog):
    from dashboard import queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("the overview broke")

    monkeypatch.setattr(queries, "overview_figures", broken)
    caplog.set_level(logging.INFO, logger="dashboard")
    app = open_page(store, monkeypatch)  # asserts no exception reached the browser
    assert any(e.value.startswith("Something went wrong") and "server log at" in e.value for e in app.error)
    assert not any("the overview broke" in e.value for e in app.error)
    [line] = [r for r in caplog.records if r.name == "dashboard.app"]
    assert line.levelno == logging.ERROR and line.exc_info and line.exc_info[0] is RuntimeError


def test_st_stop_in_a_page_is_not_an_error(store, monkeypatch, caplog):
    from dashboard import queries

    def stopping(*_args, **_kwargs):
        st.stop()

    monkeypatch.setattr(queries, "overview_figures", stopping)
    caplog.set_level(logging.INFO, logger="dashboard")
    app = open_page(store, monkeypatch)
    assert not app.error
    assert not [r for r in caplog.records if r.name == "dashboard.app"]


def test_a_refusal_escaping_a_page_is_shown_as_it_is_said(store, monkeypatch, caplog):
    """A refusal (here: another writer holding the store too long) is not a fault: the page
    shows its message, not the generic 'something went wrong'."""
    from test_dashboard import open_page

    from dashboard import queries
    from pipelines.store import db

    def busy(*_args, **_kwargs):
        raise db.WriterBusy("another load or approval is holding the store; nothing was changed")

    monkeypatch.setattr(queries, "overview_figures", busy)
    app = open_page(store, monkeypatch, None)
    assert [e.value for e in app.error] == ["another load or approval is holding the store; nothing was changed"]
