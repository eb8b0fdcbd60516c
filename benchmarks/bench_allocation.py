"""Time one allocation call and the gaps view on the default Norfolk store and on generated
England-sized stores, against two floors from the same run: a trivial query on the same
connection, and the same allocation done in plain polars on tables already in memory
(benchmarks/baselines/allocation_polars.py), whose amounts are first checked to be the macro's
for every partnership.

    python benchmarks/bench_allocation.py [--repeat 20] [--scale 4 --scale 16] [--quick]

The allocation is called as the dashboard calls it, with the census named. Prints the machine,
median and spread; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baselines import allocation_polars  # noqa: E402
from benchmarks.figures import machine, spread  # noqa: E402
from benchmarks.stores import bench_stores  # noqa: E402
from pipelines.rules.allocate import AllocationSettings, allocate, coverage_gaps, default_census  # noqa: E402

POT = 500_000


def _times_ms(fn, repeat: int) -> list[float]:
    """Each call's milliseconds, the pot moved a pound a call (as a slider moves it); the first,
    which plans the macros, is not counted."""
    times = []
    for index in range(repeat + 1):
        started = time.perf_counter()
        fn(POT + index)
        if index:
            times.append((time.perf_counter() - started) * 1000)
    return times


def measure(label: str, store: Path, repeat: int) -> None:
    con = duckdb.connect(str(store), read_only=True)
    census = default_census(con, as_of=None, include_pending=False, treat_as_accredited=())["census_date"]
    assert isinstance(census, dt.date)
    macro = allocate(con, AllocationSettings(total=Decimal(POT), census_date=census))
    tables = allocation_polars.read_tables(con)
    as_of = macro["as_of"][0]
    plain = allocation_polars.allocate(tables, POT, as_of, census)
    joined = macro.select("partnership_code", "amount").join(plain, on="partnership_code", how="full", suffix="_polars")
    mismatched = joined.filter(joined["amount"].cast(int).ne_missing(joined["amount_polars"])).height
    if mismatched or macro.height != plain.height:
        raise SystemExit(f"{label}: the polars floor disagrees with the macro on {mismatched} partnerships")
    trivial = _times_ms(lambda _: con.execute("SELECT count(*) FROM partnerships").fetchall(), repeat)
    floor = _times_ms(lambda pot: allocation_polars.allocate(tables, pot, as_of, census), repeat)
    alloc = _times_ms(lambda pot: allocate(con, AllocationSettings(total=Decimal(pot), census_date=census)), repeat)
    gaps = _times_ms(lambda _: coverage_gaps(con, census_date=census), repeat)
    rows = con.execute("SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM partnerships)").fetchone()
    assert rows is not None
    con.close()
    ratio = statistics.median(alloc) / statistics.median(floor)
    print(f"{label} ({rows[0]:,} institutions, {rows[1]:,} partnerships; the polars floor gives the same amounts):")
    print(f"  allocation call:          {spread(alloc)}")
    print(f"  the same in plain polars: {spread(floor)} (tables in memory): the call is {ratio:.1f}x")
    print(f"  coverage gaps:            {spread(gaps)}")
    print(f"  a trivial query:          {spread(trivial)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scale", type=int, action="append", default=[], help="also N times England (repeatable)")
    parser.add_argument("--quick", action="store_true", help="three repeats on Norfolk (CI smoke run)")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        stores = bench_stores(Path(tmp), england=not args.quick, scales=() if args.quick else tuple(args.scale))
        for label, store in stores:
            measure(label, store, repeat)


if __name__ == "__main__":
    main()
