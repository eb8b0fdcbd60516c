"""The benchmark scripts run in their --quick mode: this fails on a crash, never on a timing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines.base import config


@pytest.mark.parametrize(
    "script",
    [
        "bench_load.py",
        "bench_allocation.py",
        "bench_rerun.py",
        "bench_browser.py",
        "bench_plan.py",
        "bench_levers.py",
        "bench_concurrency.py",
        "bench_gaps_scale.py",
        "bench_cold_start.py",
        "bench_build_la.py",
    ],
)
def test_benchmark_runs_quick(script):
    done = subprocess.run(
        [sys.executable, str(config.PROJECT_ROOT / "benchmarks" / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=config.PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ms" in done.stdout or " s" in done.stdout
