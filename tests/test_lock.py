"""The writer lock works where councils run the tool (Windows as well as Linux): nothing POSIX-only
is imported, a second writer waits for the first, and one that waits too long is told why in
one line instead of hanging."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pipelines.base import config
from pipelines.cli.main import main
from pipelines.store import db

ROOT = Path(__file__).resolve().parent.parent

# Holds the writer lock of the store named in argv[1] until its stdin closes.
HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipelines.store import db
    with db.writer_lock(Path(sys.argv[1])):
        print("held", flush=True)
        sys.stdin.read()
""")


@pytest.fixture
def held(store):
    """Another process (a load, say) holding the store's writer lock for as long as the test runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout.readline().strip() == "held", holder.stderr.read()
    yield holder
    holder.stdin.close()
    holder.wait(timeout=30)


def test_the_store_module_imports_and_locks_without_fcntl(tmp_path):
    """As on Windows, where there is no fcntl module."""
    script = textwrap.dedent(f"""
        import importlib, sys
        sys.modules["fcntl"] = None  # import fcntl now raises ImportError, as on Windows
        import pipelines.store.db as db
        importlib.reload(db)
        from pathlib import Path
        store = Path({str(tmp_path / "store.duckdb")!r})
        with db.writer_lock(store):
            pass
        db._fsync_dir(store.parent)
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
    source = (ROOT / "pipelines" / "store" / "db.py").read_text(encoding="utf-8")
    assert "import fcntl" not in source and "fcntl." not in source


def test_fsync_of_a_folder_is_skipped_where_a_folder_cannot_be_opened(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")  # what Windows says to os.open on a folder

    monkeypatch.setattr(os, "open", refuse)
    db._fsync_dir(tmp_path)  # no error


def test_a_second_writer_waits_for_the_first(store):
    released = []
    waited = []

    def first():
        with db.writer_lock(store):
            time.sleep(0.6)
            released.append(time.monotonic())

    def second():
        time.sleep(0.1)  # the first has the lock by now
        started = time.monotonic()
        with db.writer_lock(store, timeout=30):
            waited.append((started, time.monotonic()))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ((started, got),) = waited
    assert got >= released[0]  # it got the lock only once the first let go
    assert got - started >= 0.3


def test_a_writer_that_waits_too_long_is_told_who_holds_the_lock(store, held):
    started = time.monotonic()
    with pytest.raises(db.WriterBusy) as refused, db.writer_lock(store, timeout=0.3):
        pytest.fail("the lock was held by another process")
    assert 0.25 <= time.monotonic() - started < 10
    message = str(refused.value)
    assert f"{store}.lock" in message
    assert "another load or approval is running" in message
    assert "\n" not in message


def test_the_command_line_refuses_in_one_line_with_exit_code_2(store, held, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "WRITER_LOCK_TIMEOUT_S", 0.3)
    census = tmp_path / "census.csv"
    census.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,140\n")
    before = store.read_bytes()
    assert main(["load", "census", str(census), "--db", str(store)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "another load or approval is running" in errors[0] and f"{store}.lock" in errors[0]
    assert "0.3 s" in errors[0]
    assert store.read_bytes() == before


def test_the_lock_is_free_again_once_its_holder_has_gone(store, held):
    held.stdin.close()
    held.wait(timeout=30)
    with db.writer_lock(store, timeout=5):
        pass


@pytest.mark.skipif(shutil.which("flock") is None, reason="needs util-linux flock")
def test_an_outside_flock_on_the_lock_file_holds_writers_off(store):
    """A script may take the same lock (``flock store.duckdb.lock cp ...``): the lock file stays
    where it is between writers, so the script and the tool lock one and the same file."""
    with db.writer_lock(store, timeout=5):
        pass
    outside = subprocess.Popen(["flock", f"{store}.lock", "sleep", "3"])
    try:
        time.sleep(0.5)
        with pytest.raises(db.WriterBusy), db.writer_lock(store, timeout=0.3):
            pytest.fail("the outside flock held the lock")
    finally:
        outside.wait(timeout=30)
    with db.writer_lock(store, timeout=5):
        pass


def test_on_windows_a_reader_opens_the_store_itself_not_a_link(store, monkeypatch):
    """Windows cannot remove a hard link to a file DuckDB holds open, so no link is made there."""
    monkeypatch.setattr(db, "ON_WINDOWS", True)
    made = []
    monkeypatch.setattr(os, "link", lambda *args: made.append(args))
    con = db.connect_read_only(store)
    try:
        assert con.execute("SELECT count(*) FROM partnerships").fetchone()[0] > 0
    finally:
        con.close()
    assert made == []


def test_a_write_keeps_the_stores_permissions(store, tmp_path):
    """The deployment guide's 0640: a load run under sudo's umask (022) must not widen it."""
    import stat

    from pipelines.cli.main import main

    store.chmod(0o640)
    old = os.umask(0o022)
    try:
        census = tmp_path / "census.csv"
        census.write_text("urn,census_date,nc_year,headcount,source\n100001,2025-01-16,10,121,revised return\n")
        assert main(["load", "census", str(census), "--db", str(store)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.stat().st_mode) == 0o640
