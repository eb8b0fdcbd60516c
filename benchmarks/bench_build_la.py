"""Time ``build --la 886`` (Kent, the largest authority) beside floors measured in the same run: the
same reading of the England data pack with nothing done to it (the authority's schools, the whole
census and the links read with polars, both outline files parsed), and a fresh interpreter that
only imports what the command imports.

    python benchmarks/bench_build_la.py [--runs 5] [--quick]

The command is run as a person runs it, in a new process (``python -m pipelines build --la 886``),
onto a store that does not exist yet, and onto the store it just built (a rebuild that carries the
records over); the build itself is also timed in this process, where the imports are paid. Runs
alternate with the floors, so a change in the machine's load falls on both. The issue's target is
under 15 s for the command on a 2-core machine. Prints the machine, then the median and spread of
each, and the ratios of the medians; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.figures import machine, spread  # noqa: E402
from pipelines.base import config  # noqa: E402
from pipelines.datasets import build_la, england  # noqa: E402

AUTHORITY = "886"
IMPORTS = "import pipelines.cli.main, pipelines.datasets.build_la, pipelines.ingest.load"


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def read_floor() -> None:
    """What the build reads from the pack, read and nothing more."""
    pack = config.ENGLAND_DIR
    pl.scan_parquet(pack / england.SCHOOLS).filter(pl.col("la_code") == AUTHORITY).collect()
    pl.read_parquet(pack / england.SCHOOLS, columns=["urn"])
    pl.read_parquet(pack / england.CENSUS)
    pl.read_parquet(pack / england.LINKS)
    pl.read_parquet(pack / england.AUTHORITIES)
    for name in (england.DISTRICT_OUTLINES, england.AUTHORITY_OUTLINES):
        json.loads((pack / name).read_text(encoding="utf-8"))


def _run(*argv: str) -> None:
    subprocess.run([sys.executable, *argv], cwd=config.PROJECT_ROOT, check=True, capture_output=True, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two runs of each, the fewest a spread needs (CI smoke run)")
    args = parser.parse_args()
    runs = 2 if args.quick else max(args.runs, 2)
    print(machine())
    fresh, again, in_process, floor, imports = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            store = Path(tmp) / f"kent{run}.duckdb"
            command = ("-m", "pipelines", "--log-level", "ERROR", "build", "--la", AUTHORITY, "--db", str(store))
            fresh.append(_ms(lambda: _run(*command)))  # noqa: B023 - called at once
            again.append(_ms(lambda: _run(*command)))  # noqa: B023
            imports.append(_ms(lambda: _run("-c", IMPORTS)))
            floor.append(_ms(read_floor))
            in_process.append(_ms(lambda: build_la.build(Path(tmp) / f"inproc{run}.duckdb", AUTHORITY)))  # noqa: B023
        made = build_la.build(Path(tmp) / "counted.duckdb", AUTHORITY)
    print(
        f"build --la {AUTHORITY}, {made.authority}: {sum(made.kinds.values())} establishments, "
        f"{made.by_urn + made.by_link} with census figures, {made.partnerships} starting partnerships"
    )
    print(f"  the command, new store:          {spread(fresh)}")
    print(f"  the command, rebuilding it:      {spread(again)}")
    print(f"  floor, interpreter and imports:  {spread(imports)}")
    print(f"  the build in this process:       {spread(in_process)}")
    print(f"  floor, reading the pack's files: {spread(floor)}")
    median = statistics.median
    print(
        f"  ratios of medians: command / imports floor {median(fresh) / median(imports):.1f}x; "
        f"in-process build / reading floor {median(in_process) / median(floor):.1f}x; "
        f"target for the command: under 15,000 ms ({median(fresh) / 15_000:.0%} of it)"
    )


if __name__ == "__main__":
    main()
