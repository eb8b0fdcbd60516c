"""Crash safety: a loader killed with SIGKILL at a random moment leaves a store that opens and
equals the state before the load or after it; the next load works."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from storecheck import table_checksums

from benchmarks.generate import gias_register, write_cp1252
from pipelines.ingest.load import Upload, load

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("CRASH_TRIALS", "8"))


def _content(store) -> dict:
    """Every table's fingerprint; the load and audit logs by their rows but not their times
    (or the hashes that cover them)."""
    sums = table_checksums(store)
    con = duckdb.connect(str(store), read_only=True)
    sums["load_log"] = con.execute("SELECT list(file_name || sha256 ORDER BY load_id) FROM load_log").fetchone()
    sums["audit_log"] = con.execute("SELECT list(seq || action || subject || detail ORDER BY seq) FROM audit_log").fetchone()
    con.close()
    return sums


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_store(store, tmp_path):
    register = tmp_path / "gias.csv"
    write_cp1252(gias_register(30_000, seed=11), register)
    before = _content(store)
    finished = tmp_path / "finished.duckdb"
    shutil.copyfile(store, finished)
    started = time.perf_counter()
    load(Upload.from_path("register", register), finished)
    full_load = time.perf_counter() - started
    after = _content(finished)
    assert before != after
    rng = random.Random(2009)
    outcomes = {"before": 0, "after": 0}
    for trial in range(TRIALS):
        target = tmp_path / f"trial{trial}.duckdb"
        shutil.copyfile(store, target)
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines", "load", "register", str(register), "--db", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 0.2 + 2 * full_load))
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = _content(target)  # opens: the store is never left unreadable
        assert state in (before, after), f"trial {trial}: a mixed store"
        outcomes["before" if state == before else "after"] += 1
        load(Upload.from_path("register", register), target)  # the next load works and clears stale copies
        assert _content(target)["institutions"] == after["institutions"]
        assert not list(tmp_path.glob(f"trial{trial}.duckdb.*.tmp*"))
    print(f"\n{TRIALS} crash trials: {outcomes['before']} left the old store, {outcomes['after']} the new; all intact")
    assert sum(outcomes.values()) == TRIALS
