"""How every benchmark says where it ran and what it measured: the machine and its load when the
run started, and a list of timings as median, min-max and interquartile range (the spread of the
runs, never the best of them)."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} cores, {model}; load average at start {load} (1, 5, 15 min)"


def spread(times: list[float]) -> str:
    """Median, min-max and interquartile range; tenths of a millisecond below 20 ms."""
    ordered = sorted(times)
    q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    places = 1 if ordered[-1] < 20 else 0
    return (
        f"median {statistics.median(ordered):.{places}f} ms, min-max {ordered[0]:.{places}f}-{ordered[-1]:.{places}f} ms, "
        f"interquartile {q1:.{places}f}-{q3:.{places}f} ms (n={len(ordered)})"
    )
