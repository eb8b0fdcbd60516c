"""Time one allocation call and the gaps view on the default Norfolk store and on a generated
England-sized store, each against a trivial query on the same connection (the floor).

    python benchmarks/bench_allocation.py [--quick]

Prints figures and ratios; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stores import england_store  # noqa: E402
from pipelines import config  # noqa: E402
from pipelines.allocate import AllocationSettings, allocate, coverage_gaps  # noqa: E402
from pipelines.build_default import build  # noqa: E402


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm: the first call plans the macros
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(label: str, store: Path, repeat: int) -> None:
    con = duckdb.connect(str(store), read_only=True)
    chosen = AllocationSettings(total=Decimal(500_000))
    floor = _median_ms(lambda: con.execute("SELECT count(*) FROM partnerships").fetchall(), repeat)
    alloc = _median_ms(lambda: allocate(con, chosen), repeat)
    gaps = _median_ms(lambda: coverage_gaps(con), repeat)
    rows = con.execute("SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM partnerships)").fetchone()
    assert rows is not None
    con.close()
    print(
        f"{label} ({rows[0]:,} institutions, {rows[1]:,} partnerships): allocation {alloc:.1f} ms "
        f"({alloc / floor:.0f}x a trivial query of {floor:.2f} ms); gaps {gaps:.1f} ms ({gaps / floor:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="three repeats (CI smoke run)")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        norfolk = folder / "norfolk.duckdb"
        build(norfolk, config.DEFAULT_DATA_DIR)
        measure("default Norfolk store", norfolk, repeat)
        started = time.perf_counter()
        england = england_store(folder)
        print(f"generated and loaded the England-sized store in {time.perf_counter() - started:.1f} s")
        measure("England-sized store", england, repeat)


if __name__ == "__main__":
    main()
