"""Time the build, the coverage gaps and the allocation at 1x, 4x and 16x England (generated:
N England-sized tiles side by side, benchmarks/generate.py), each beside a floor from the same
run, and the coverage gaps with today's grid travel check against the band join it replaced
(benchmarks/baselines/travel_distances_before_grid.sql), whose results it checks are identical.

    python benchmarks/bench_gaps_scale.py [--scales 1,4,16] [--repeat 20] [--folder DIR] [--quick]

Calls go through the query functions the dashboard and the command line use
(pipelines.allocate.coverage_gaps and allocate) on a read-only cursor, with the census named as
the dashboard sends it. Wall time per call is median (min-max) of the runs; CPU is the median
process CPU per call (every DuckDB thread). The floor is a bare count over memberships_on.
Stores are built under a temporary folder (or --folder, reused when already there; never
inside the checkout). The 16x store has tiles outside Great Britain, moved there after an
ordinary load (benchmarks/stores.py says how). Prints a table; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stores import scaled_england_store  # noqa: E402
from pipelines import config, db  # noqa: E402
from pipelines.allocate import AllocationSettings, allocate, coverage_gaps, default_census  # noqa: E402

BEFORE_GRID = Path(__file__).resolve().parent / "baselines" / "travel_distances_before_grid.sql"
FLOOR = "SELECT count(*) FROM memberships_on(effective_as_of(NULL))"
DIFFERENCE = "SELECT count(*) FROM (SELECT * FROM {0}($as_of) EXCEPT ALL SELECT * FROM {1}($as_of))"
MAX_DIFFERENCE = """
SELECT count(*), max(abs(a.km_to_nearest_other - b.km_to_nearest_other)), max(abs(a.km_to_own_centre - b.km_to_own_centre))
FROM travel_distances($as_of) AS a
FULL JOIN travel_distances_before_grid($as_of) AS b USING (partnership_code, institution_id)
WHERE a.nearest_other_code IS DISTINCT FROM b.nearest_other_code
   OR a.km_to_nearest_other IS DISTINCT FROM b.km_to_nearest_other
   OR a.km_to_own_centre IS DISTINCT FROM b.km_to_own_centre
"""


def _runs(fn: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each of ``repeat`` calls, after one warm call (plans the macros)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _spread(wall: list[float], cpu: list[float] | None = None) -> str:
    text = f"{statistics.median(wall):,.0f} ({min(wall):,.0f}-{max(wall):,.0f})"
    return text + (f" cpu {statistics.median(cpu):,.0f}" if cpu else "")


def _joins(con: duckdb.DuckDBPyConnection, sql: str, params: dict, folder: Path) -> list[tuple[str, str, int]]:
    """The join operators of one run of ``sql`` (EXPLAIN ANALYZE's profile): kind, conditions,
    rows out; how the band join's pairs and the grid's candidates are counted."""
    output = folder / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{output}'")
    try:
        con.execute(sql, params).fetchall()
    finally:
        con.execute("PRAGMA disable_profiling")
    found: list[tuple[str, str, int]] = []

    def walk(node: dict) -> None:
        if "JOIN" in node.get("name", ""):
            conditions = node.get("extra_info", {}).get("Conditions", "")
            text = " ".join(conditions) if isinstance(conditions, list) else str(conditions)
            found.append((node["name"], text, int(node.get("intermediate_rows", 0))))
        for child in node.get("children", []):
            walk(child)

    for node in json.loads(output.read_text())["operator"]:
        walk(node)
    return found


def _pairs(joins: list[tuple[str, str, int]], marker: str) -> tuple[str, int]:
    chosen = [(kind, rows) for kind, conditions, rows in joins if marker in conditions]
    return ", ".join(sorted({kind for kind, _ in chosen})), sum(rows for _, rows in chosen)


def measure(scale: int, store: Path, built: dict[str, float], repeat: int, folder: Path) -> dict[str, Any]:
    con = db.connect_read_only(store).cursor()
    before = db.connect_read_only(store).cursor()
    before.execute(BEFORE_GRID.read_text(encoding="utf-8"))
    # The same call with the band join in place of the grid: a temporary macro shadows the stored one.
    before.execute(BEFORE_GRID.read_text(encoding="utf-8").replace("travel_distances_before_grid(", "travel_distances("))
    census = default_census(con)["census_date"]
    assert isinstance(census, dt.date), census
    counts = con.execute(
        "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM partnerships), "
        "(SELECT count(*) FROM travel_distances(effective_as_of(NULL)))"
    ).fetchall()[0]
    chosen = AllocationSettings(total=Decimal(500_000 * scale), census_date=census)

    floor = _runs(lambda: con.execute(FLOOR).fetchall(), repeat)
    gaps = _runs(lambda: coverage_gaps(con, census_date=census), repeat)
    allocation = _runs(lambda: allocate(con, chosen), repeat)
    before_repeat = max(3, repeat // scale)  # the band join at 16x takes tens of seconds a call
    gaps_before = _runs(lambda: coverage_gaps(before, census_date=census), before_repeat)

    as_of = {"as_of": con.execute("SELECT effective_as_of(NULL)").fetchall()[0][0]}
    check = db.connect_read_only(store).cursor()
    check.execute(BEFORE_GRID.read_text(encoding="utf-8"))
    only_grid = check.execute(DIFFERENCE.format("travel_distances", "travel_distances_before_grid"), as_of).fetchall()[0][0]
    only_band = check.execute(DIFFERENCE.format("travel_distances_before_grid", "travel_distances"), as_of).fetchall()[0][0]
    differing = check.execute(MAX_DIFFERENCE, as_of).fetchall()[0]
    same_gaps = (
        coverage_gaps(con, census_date=census)
        .sort(["code", "partnership_code", "institution_id"])
        .equals(coverage_gaps(before, census_date=census).sort(["code", "partnership_code", "institution_id"]))
    )
    band = _pairs(_joins(check, "SELECT * FROM travel_distances_before_grid($as_of)", as_of, folder), "centre_lat")
    grid = _pairs(_joins(check, "SELECT * FROM travel_distances($as_of)", as_of, folder), "cell_lat = cell_lat")
    for cursor in (con, before, check):
        cursor.close()
    return {
        "scale": scale,
        "institutions": counts[0],
        "partnerships": counts[1],
        "schools": counts[2],
        "built": built,
        "floor": floor,
        "gaps": gaps,
        "gaps_before": gaps_before,
        "before_repeat": before_repeat,
        "allocation": allocation,
        "identical": (only_grid, only_band, differing[0], same_gaps),
        "band": band,
        "grid": grid,
    }


def _store(folder: Path, scale: int, builds: int) -> tuple[Path, dict[str, float], int]:
    """The store of this scale: built ``builds`` times (timings: the median of each step), or
    reused from ``folder`` when already there (then no build is timed)."""
    name = "england" if scale == 1 else f"england_{scale}x"
    existing = folder / f"{name}.duckdb"
    if existing.exists() and db.sql_is_current(existing):
        return existing, {}, 0
    timings: dict[str, list[float]] = {}
    store = existing
    for _ in range(builds):
        store, seconds = scaled_england_store(folder, scale)
        for step, value in seconds.items():
            timings.setdefault(step, []).append(value)
    return store, {step: statistics.median(values) for step, values in timings.items()}, builds


def print_table(results: list[dict[str, Any]], repeat: int) -> None:
    print()
    print(f"ms per call: median (min-max) of {repeat} runs, cpu = median process CPU per call; build in seconds")
    print(
        "| scale | institutions | partnerships | located schools | build s (load + move) | floor ms | gaps ms "
        "| gaps ms, band join (runs) | allocation ms |"
    )
    print("|---" * 9 + "|")
    for r in results:
        built = r["built"]
        build = (
            f"{built.get('load', 0) + built.get('move tiles beyond Great Britain', 0):.1f} ({r['builds']} build(s))"
            if built
            else "reused"
        )
        print(
            f"| {r['scale']}x | {r['institutions']:,} | {r['partnerships']:,} | {r['schools']:,} | {build} | "
            f"{_spread(*r['floor'])} | {_spread(*r['gaps'])} | {_spread(*r['gaps_before'])} ({r['before_repeat']}) | "
            f"{_spread(*r['allocation'])} |"
        )
    print()
    print(
        "| scale | band join: operator, candidate pairs | grid: operator, candidates "
        "| rows only in grid / only in band join / differing | gaps identical |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        only_grid, only_band, differing, same_gaps = r["identical"]
        print(
            f"| {r['scale']}x | {r['band'][0]}, {r['band'][1]:,} | {r['grid'][0]}, {r['grid'][1]:,} | "
            f"{only_grid} / {only_band} / {differing} (exact: EXCEPT ALL on every column) | {same_gaps} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4,16", help="comma-separated multiples of England")
    parser.add_argument("--repeat", type=int, default=20, help="runs per call (the band join: repeat / scale, at least 3)")
    parser.add_argument("--builds", type=int, default=3, help="builds timed per scale below 16 (16x and above: one)")
    parser.add_argument("--folder", type=Path, help="build the stores here, or reuse them (not inside the checkout)")
    parser.add_argument("--quick", action="store_true", help="1x only, three runs, one build (CI smoke run)")
    args = parser.parse_args()
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    repeat = 3 if args.quick else args.repeat
    if args.folder and args.folder.resolve().is_relative_to(config.PROJECT_ROOT):
        parser.error(f"--folder must be outside the checkout ({config.PROJECT_ROOT})")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        for scale in scales:
            started = time.perf_counter()
            builds = 1 if args.quick or scale >= 16 else args.builds
            store, built, done = _store(folder, scale, builds)
            print(f"{scale}x England: store ready in {time.perf_counter() - started:.0f} s ({done} build(s))", flush=True)
            result = measure(scale, store, built, repeat, Path(tmp))
            result["builds"] = done
            results.append(result)
            print(f"{scale}x England: measured in {time.perf_counter() - started:.0f} s", flush=True)
        print_table(results, repeat)


if __name__ == "__main__":
    main()
