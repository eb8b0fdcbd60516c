"""Time an allocation call with every funding lever on (county top-slice, loss and gain limits,
manager cost) against the same call with no lever and against the allocation as it was before
the levers (benchmarks/baselines/allocation_before_levers.sql), in the same run, on the same
connection, interleaved, on the default Norfolk store and on a generated England-sized store.

    python benchmarks/bench_levers.py [--repeat N] [--quick]

Every call returns the polars frame the dashboard and the command line get, with the census
already named (as they send it). Prints the median and the range of the runs, and checks that
the call with no lever gives the same amounts as the call before the levers; it never fails on a
timing.
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

from benchmarks.stores import bench_stores  # noqa: E402
from pipelines.rules.allocate import AllocationSettings, allocate, default_census  # noqa: E402

BEFORE_LEVERS = Path(__file__).resolve().parent / "baselines" / "allocation_before_levers.sql"
BEFORE_CALL = """
SELECT * FROM before_levers_on_census($total, $lump_sum, $unit, $day_rate, $weeks_per_year,
    p_census_date := $census_date, p_include_pending := $include_pending, p_as_of := $as_of,
    p_treat_as_accredited := $treat_as_accredited, p_accept_missing_census := $accept_missing_census,
    p_census_defaulted := $census_defaulted)
"""


def _levers(con: duckdb.DuckDBPyConnection) -> tuple[Decimal, dict]:
    """A pot about the size of the previous amounts (so the limits bind for many partnerships
    without the floors exceeding it) and every lever on."""
    previous = con.execute("SELECT coalesce(sum(amount), 0) FROM previous_allocations").fetchall()[0][0]
    pot = max(Decimal(500_000), (previous // 100_000 + 1) * 100_000)
    return pot, {
        "top_slice_pct": Decimal(5),
        "protect_loss": Decimal(10),
        "protect_gain": Decimal(25),
        "manager_cost": Decimal(45_000),
    }


def measure(label: str, store: Path, repeat: int) -> None:
    con = duckdb.connect(str(store), read_only=True)
    con.execute(BEFORE_LEVERS.read_text())
    pot, levers = _levers(con)
    plain = AllocationSettings(total=pot, include_pending=True)
    levered = AllocationSettings(total=pot, include_pending=True, **levers)
    census = default_census(con, include_pending=True)["census_date"]
    assert census is None or isinstance(census, dt.date)
    before_params = {
        k: v
        for k, v in plain.parameters().items()
        if k not in ("top_slice", "top_slice_pct", "protect_loss", "protect_gain", "manager_cost")
    }
    before_params.update(census_date=census, census_defaulted=True)
    calls = {
        "before the levers": lambda: con.sql(BEFORE_CALL, params=before_params).pl(),
        "no lever": lambda: allocate(con, plain, census),
        "every lever": lambda: allocate(con, levered, census),
        "floor (a trivial query)": lambda: con.sql("SELECT count(*) FROM partnerships").pl(),
    }
    before, now, with_levers = calls["before the levers"](), calls["no lever"](), calls["every lever"]()
    if before["amount"].to_list() != now["amount"].to_list():
        raise SystemExit(f"{label}: the call with no lever differs from the call before the levers")
    protected = with_levers["protection"].drop_nulls().len()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for run in range(repeat):
        names = list(calls)
        for name in names[run % len(names) :] + names[: run % len(names)]:  # rotate the order each run
            started = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - started) * 1000)
    con.close()
    baseline = statistics.median(times["before the levers"])
    print(
        f"{label}: pot £{pot:,}, {with_levers.height:,} partnerships, {protected:,} held by protection "
        f"with every lever; {repeat} runs each"
    )
    for name, runs in times.items():
        middle = statistics.median(runs)
        print(
            f"  {name:<24} {middle:8.1f} ms  (range {min(runs):.1f}-{max(runs):.1f})  "
            f"{middle / baseline:4.2f}x the call before the levers"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="three runs on Norfolk only (CI smoke run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, store in bench_stores(Path(tmp), england=not args.quick):
            measure(label, store, 3 if args.quick else args.repeat)


if __name__ == "__main__":
    main()
