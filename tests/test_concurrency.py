"""Loads while meetings are open: several dashboard sessions keep rerunning the allocation
page while a loader swaps the store again and again. Every session sees the old figures or the
new, never a mix, and never an error. Bounded in time (CONCURRENCY_SECONDS, default 20)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.load import Upload, load

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "20"))
SESSIONS = int(os.environ.get("CONCURRENCY_SESSIONS", "4"))
WORKER = Path(__file__).parent / "session_worker.py"
# Amount (£) column of the allocation table (P1, P2), as numbers, for each of the two census files.
STATES = [[3750.0, 6250.0], [6154.0, 3846.0]]


def test_sessions_see_old_or_new_data_never_a_mix_and_never_an_error(store, tmp_path):
    census = {}
    for name, headcount in (("a.csv", 100), ("b.csv", 300)):
        path = tmp_path / name
        path.write_text(f"urn,census_date,nc_year,headcount\n100001,2025-01-16,10,{headcount}\n")
        census[name] = Upload.from_path("census", path)
    load(census["a.csv"], store)
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), str(store), str(SECONDS), json.dumps(STATES)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(SESSIONS)
    ]
    for worker in workers:  # a session that is still starting up would miss every load
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-2000:]
    loads, deadline = 0, time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        load(census["b.csv" if loads % 2 == 0 else "a.csv"], store)
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
    print(f"\n{SESSIONS} sessions x {SECONDS:.0f} s, {loads} loads, {reruns} reruns, {len(errors)} errors, longest rerun {longest} ms")
    assert errors == []
    assert loads > 10 and all(r["reruns"] > 5 for r in results)
    assert any(r["states_seen"] == 2 for r in results), "no session saw a load land"
