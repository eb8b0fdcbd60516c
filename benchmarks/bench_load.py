"""Time building the default store and loading a large GIAS register, each against a floor
measured in the same run (a bare polars.read_csv of the same file).

    python benchmarks/bench_load.py [--rows 50000] [--quick]

Prints figures and ratios; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import gias_register, write_cp1252  # noqa: E402
from pipelines import settings  # noqa: E402
from pipelines.build_default import build  # noqa: E402
from pipelines.load import Upload, load  # noqa: E402


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) if repeat < 3 else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (CI smoke run)")
    args = parser.parse_args()
    rows, repeat = (2_000, 1) if args.quick else (args.rows, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = folder / "bench.duckdb"

        build_s = _best(lambda: build(store, settings.DEFAULT_DATA_DIR), repeat)
        print(f"build default store: {build_s:.2f} s")

        register = folder / "gias_register.csv"
        write_cp1252(gias_register(rows), register)
        size_mb = register.stat().st_size / 1e6
        floor_s = _best(lambda: pl.read_csv(register, encoding="utf8-lossy", infer_schema=False), repeat)

        def load_register():
            build(store, settings.DEFAULT_DATA_DIR)  # a fresh store each time: the same file twice is skipped
            started = time.perf_counter()
            load(Upload.from_path("register", register), store)
            return time.perf_counter() - started

        load_times = [load_register() for _ in range(repeat)]
        load_s = statistics.median(load_times)
        print(f"GIAS register, {rows:,} rows, {size_mb:.1f} MB: load {load_s:.2f} s; "
              f"bare polars.read_csv {floor_s:.3f} s; ratio {load_s / floor_s:.1f}x")


if __name__ == "__main__":
    main()
