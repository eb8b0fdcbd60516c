"""Loads while meetings are open: several dashboard sessions keep rerunning the allocation
page while a loader swaps the store again and again. Every session sees the old figures or the
new, never a mix, and never an error; no load is lost, and the store ends holding the last one.
Bounded in time (CONCURRENCY_SECONDS, default 20). How many loads a second the store takes, alone
and with writers at once, is measured by benchmarks/bench_concurrency.py, never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.load import Upload, load

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "20"))
SESSIONS = int(os.environ.get("CONCURRENCY_SESSIONS", "4"))
WORKER = Path(__file__).parent / "session_worker.py"
# Amount (£) column of the allocation table (P1, P2 and the total), as numbers, for each of the two census files.
STATES = [[3750.0, 6250.0, 10000.0], [6154.0, 3846.0, 10000.0]]
HEADCOUNTS = {"a.csv": 100, "b.csv": 300}  # Year 10 of school 100001 in each census file


def test_sessions_see_old_or_new_data_never_a_mix_and_never_an_error(store, tmp_path):
    census = {}
    for name, headcount in HEADCOUNTS.items():
        path = tmp_path / name
        path.write_text(f"urn,census_date,nc_year,headcount\n100001,2025-01-16,10,{headcount}\n")
        census[name] = Upload.from_path("census", path)
    logged_before = len(_census_loads(store))
    load(census["a.csv"], store)
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(store), str(SECONDS), json.dumps(STATES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(SESSIONS)
    ]
    for worker in workers:  # a session that is still starting up would miss every load
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-2000:]
    loads, deadline, landed = 0, time.monotonic() + SECONDS, [census["a.csv"]]
    while loads < 2 or time.monotonic() < deadline:  # a load each way, whatever the machine's speed
        upload = census["b.csv" if loads % 2 == 0 else "a.csv"]
        assert not load(upload, store).skipped
        landed.append(upload)
        loads += 1
        time.sleep(0.05)
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=SECONDS + 120)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    errors = [e for r in results for e in r["errors"]]
    longest = max(r["longest_ms"] for r in results)
    reruns = sum(r["reruns"] for r in results)
    print(
        f"\n{SESSIONS} sessions x {SECONDS:.0f} s, {loads} loads, {reruns} reruns, {len(errors)} errors, longest rerun {longest} ms"
    )
    assert errors == []
    assert any(r["states_seen"] == 2 for r in results), "no session saw a load land"
    # No load lost: the load log holds every one, in the order made, and the store the last one's figure.
    assert _census_loads(store)[logged_before:] == [u.sha256 for u in landed]
    con = duckdb.connect(str(store), read_only=True)
    try:
        figure = con.execute(
            "SELECT headcount FROM census_rolls WHERE urn = 100001 AND census_date = DATE '2025-01-16' AND nc_year = 10"
        ).fetchall()
    finally:
        con.close()
    assert figure == [(HEADCOUNTS[landed[-1].name],)]


def _census_loads(store: Path) -> list[str]:
    """The sha256 of every census load in the store's load log, oldest first."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT sha256 FROM load_log WHERE kind = 'census' ORDER BY load_id").fetchall()]
    finally:
        con.close()
