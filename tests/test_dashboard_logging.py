"""What the operator reads in the journal about the dashboard's store: a refused store and an
upgraded one each give one line naming the store and the reason, and Streamlit's own lines share
the tool's format and zone. The process runs in a zone fourteen hours from UTC, so a time in the
server's zone would show."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time

import duckdb
import pytest
from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures

from benchmarks.serve import free_port
from pipelines.base import config, logs
from pipelines.store import audit_chain, db

STAMP = r"(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"
FAR_ZONE = "Pacific/Kiritimati"  # UTC+14


@pytest.fixture
def far_zone(monkeypatch):
    monkeypatch.setenv("TZ", FAR_ZONE)
    time.tzset()
    assert time.localtime().tm_hour != time.gmtime().tm_hour
    yield
    monkeypatch.undo()
    time.tzset()


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _lines(stderr: str, pattern: str) -> list[re.Match]:
    return [m for m in (re.fullmatch(pattern, line) for line in stderr.splitlines()) if m]


def test_a_damaged_store_refused_by_the_dashboard_is_logged_once(tmp_path, monkeypatch, capsys, far_zone):
    damaged = tmp_path / "store.duckdb"
    damaged.write_bytes(b"this is not a DuckDB file" * 400)
    capsys.readouterr()
    before = _utc_now()
    app = open_page(damaged, monkeypatch)
    after = _utc_now()
    assert [e.value for e in app.error if "is damaged" in e.value]
    err = capsys.readouterr().err
    pattern = rf"{STAMP} WARNING dashboard\.queries: the dashboard refused the store: {re.escape(str(damaged))}: the store is damaged and cannot be read \((?P<reason>[^)]+)\); .*"
    [line] = _lines(err, pattern)
    assert before <= line["stamp"] <= after
    assert line["reason"]
    assert len([x for x in err.splitlines() if str(damaged) in x]) == 1


def test_a_store_upgraded_by_the_dashboard_is_logged_once(previous, monkeypatch, capsys, far_zone):
    """A sealed store at an earlier schema version: the one migration after the seal is taken
    back off its record, as a store the release before this one wrote would stand."""
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    con = duckdb.connect(str(previous))
    try:
        con.execute("DELETE FROM schema_version WHERE version > ?", [audit_chain.KEYED_SINCE_MIGRATION])
        con.execute("UPDATE store_sql SET fingerprint = 'an earlier release'")
    finally:
        con.close()
    found = db.check_store(previous)
    capsys.readouterr()
    before = _utc_now()
    open_page(previous, monkeypatch)
    after = _utc_now()
    err = capsys.readouterr().err
    pattern = rf"{STAMP} INFO pipelines\.store\.db: {re.escape(db._upgrade_note(previous, found))}"  # noqa: SLF001
    [line] = _lines(err, pattern)
    assert before <= line["stamp"] <= after
    assert db.sql_is_current(previous)
    capsys.readouterr()
    open_page(previous, monkeypatch)  # nothing to do the second time, nothing said
    assert str(previous) not in capsys.readouterr().err


def test_streamlit_format_prints_the_same_line_as_the_tools_own(far_zone):
    logs.stamp_records()
    logs.stamp_records()  # installed once
    record = logging.getLogger("streamlit.anything").makeRecord(
        "streamlit.anything", logging.INFO, __file__, 1, "server started on %s", ("127.0.0.1",), None
    )
    record.created = 1_782_900_000.25  # 2026-07-01 10:00:00 UTC
    record.utc = logs.utc_stamp(record.created)
    streamlits = logging.Formatter(fmt=logs.STREAMLIT_FORMAT)  # as Streamlit builds it from logger.messageFormat
    streamlits.default_msec_format = "%s.%03d"
    assert streamlits.format(record) == logs._formatter().format(record)
    assert streamlits.format(record) == "2026-07-01T10:00:00Z INFO streamlit.anything: server started on 127.0.0.1"
    fresh = logging.getLogger("streamlit.other").makeRecord("streamlit.other", logging.INFO, __file__, 1, "x", (), None)
    assert fresh.utc == logs.utc_stamp(fresh.created)  # every record carries its stamp


def test_the_launched_dashboard_logs_streamlits_lines_in_the_tools_format(tmp_path):
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TZ": FAR_ZONE,
        "PARTNERSHIP_DB": str(tmp_path / "store.duckdb"),
        "PARTNERSHIP_AUDIT_KEY": "k" * 64,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    before = _utc_now()
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.launch", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=config.PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert server.stderr is not None
        for line in server.stderr:  # until Streamlit says its server is up (or the process ends)
            lines.append(line.rstrip("\n"))
            if "server started" in line:
                break
    finally:
        server.terminate()
        server.wait(timeout=60)
    after = _utc_now()
    pattern = rf"{STAMP} INFO streamlit\.web\.server\.starlette\.starlette_server: Uvicorn server started on 127\.0\.0\.1:{port}"
    [started] = _lines("\n".join(lines), pattern)
    assert before <= started["stamp"] <= after
    assert all(re.match(rf"{STAMP} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", line) for line in lines), lines
