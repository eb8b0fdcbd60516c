"""Time the build, the coverage gaps and the allocation at 1x, 4x and 16x England (generated:
N England-sized tiles side by side, benchmarks/generate.py), each beside a floor from the same
run, and the coverage gaps with today's grid travel check against the band join it replaced
(benchmarks/baselines/travel_distances_before_grid.sql), whose results it checks are identical;
likewise the membership suggestions against the pairwise macro they replaced (once at 16x, where
a pairwise call takes minutes).

    python benchmarks/bench_gaps_scale.py [--scales 1,4,16] [--repeat 20] [--folder DIR] [--quick]

Calls go through the query functions the dashboard and the command line use
(pipelines.rules.allocate.coverage_gaps, membership_suggestions and allocate) on a read-only cursor, with the census named as
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
from pipelines.base import config  # noqa: E402
from pipelines.rules.allocate import (  # noqa: E402
    AllocationSettings,
    allocate,
    coverage_gaps,
    default_census,
    membership_suggestions,
)
from pipelines.store import db

BASELINES = Path(__file__).resolve().parent / "baselines"
BEFORE_GRID = BASELINES / "travel_distances_before_grid.sql"
SUGGESTIONS_BEFORE_GRID = BASELINES / "membership_suggestions_before_grid.sql"
FLOOR = "SELECT count(*) FROM memberships_on(effective_as_of(NULL))"
# Exact comparison of the two travel checks (kept as temporary tables): rows only one gives on
# every column but the nearest other centre's code and name; rows whose nearest other centre
# differs where the grid's is not the lower code of two exactly-as-near centres; and such ties.
# (The band join takes whichever of two exactly-as-near centres it meets first, which can change
# with the number of threads; the grid takes the lower code.)
TRAVEL_COMPARISON = """
SELECT
    (SELECT count(*) FROM (SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM grid
                           EXCEPT ALL SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM band)),
    (SELECT count(*) FROM (SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM band
                           EXCEPT ALL SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM grid)),
    (SELECT count(*) FROM grid JOIN band USING (partnership_code, institution_id)
     WHERE (grid.nearest_other_code, grid.nearest_other_name) IS DISTINCT FROM (band.nearest_other_code, band.nearest_other_name)
       AND NOT (grid.nearest_other_code < band.nearest_other_code AND grid.km_to_nearest_other = band.km_to_nearest_other)),
    (SELECT count(*) FROM grid JOIN band USING (partnership_code, institution_id)
     WHERE grid.nearest_other_code < band.nearest_other_code AND grid.km_to_nearest_other = band.km_to_nearest_other)
"""


def _runs(fn: Callable[[], Any], repeat: int, warm: bool = True) -> tuple[list[float], list[float], Any]:
    """Wall and CPU milliseconds of each of ``repeat`` calls, after one warm call (plans the
    macros) unless told not to, and the last call's result."""
    if warm:
        fn()
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu, result


def _spread(wall: list[float], cpu: list[float] | None = None, _result: Any = None) -> str:
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


def _same(first: Any, second: Any) -> bool:
    """The same rows in every column but the words (detail, reason), which name the nearer of two
    exactly-as-near centres: the band join named whichever it met first, so those rows are
    counted apart, as exact ties."""
    keys = [c for c in first.columns if c not in ("detail", "reason")]
    return bool(first.select(keys).sort(keys, nulls_last=True).equals(second.select(keys).sort(keys, nulls_last=True)))


def _same_suggestions(grid: Any, pairwise: Any) -> str:
    """Rows that differ at all, and rows that differ in more than which alternative is offered:
    where two are exactly as near (two partnerships with one centre), the grid offers the lower
    code first and the pairwise joins whichever they met first."""
    keys = ["gap_code", "gap_partnership_code", "gap_institution_id", "rank", "change", "role", "distance_km"]
    differ = grid.join(pairwise, on=grid.columns, how="anti", nulls_equal=True).height
    beyond = grid.select(keys).sort(keys, nulls_last=True).equals(pairwise.select(keys).sort(keys, nulls_last=True))
    return f"{differ} rows differ; {'none' if beyond else 'some'} beyond which equally near alternative"


def measure(scale: int, store: Path, built: dict[str, float], repeat: int, folder: Path) -> dict:
    con = db.connect_read_only(store).cursor()
    before = db.connect_read_only(store).cursor()
    # The same calls with the joins as they were: temporary macros shadow the stored ones.
    before.execute(BEFORE_GRID.read_text(encoding="utf-8").replace("travel_distances_before_grid(", "travel_distances("))
    before.execute(
        SUGGESTIONS_BEFORE_GRID.read_text(encoding="utf-8").replace(
            "membership_suggestions_before_grid(", "membership_suggestions("
        )
    )
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
    gaps_before = _runs(lambda: coverage_gaps(before, census_date=census), before_repeat, warm=scale < 16)
    few = max(3, repeat // 4)
    suggestions = _runs(lambda: membership_suggestions(con, census_date=census), few)
    # The pairwise suggestions take minutes at 16x: once there.
    suggestions_old = _runs(lambda: membership_suggestions(before, census_date=census), 3 if scale < 16 else 1, warm=False)

    check = db.connect_read_only(store).cursor()
    check.execute(BEFORE_GRID.read_text(encoding="utf-8"))
    as_of = {"as_of": check.execute("SELECT effective_as_of(NULL)").fetchall()[0][0]}
    band_sql = "CREATE TEMP TABLE band AS SELECT * FROM travel_distances_before_grid($as_of)"
    grid_sql = "CREATE TEMP TABLE grid AS SELECT * FROM travel_distances($as_of)"
    band = _pairs(_joins(check, band_sql, as_of, folder), "centre_lat")
    grid = _pairs(_joins(check, grid_sql, as_of, folder), "cell_lat = cell_lat")
    compared = check.execute(TRAVEL_COMPARISON).fetchall()[0]
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
        "suggestions": suggestions,
        "suggestions_before": suggestions_old,
        "identical": compared,
        "same_gaps": _same(gaps[2], gaps_before[2]),
        "same_suggestions": _same_suggestions(suggestions[2], suggestions_old[2]),
        "suggestions_rows": suggestions[2].height,
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
    print(
        f"ms per call: median (min-max) of {repeat} runs unless (n) says otherwise; cpu = median process CPU per call "
        "(all DuckDB threads); build in seconds (median of the builds: ordinary load, plus moving tiles beyond Great Britain)"
    )
    print(
        "| scale | institutions | partnerships | located schools | build s | floor ms | gaps ms | gaps ms, band join (n) "
        "| allocation ms |"
    )
    print("|---" * 9 + "|")
    for r in results:
        built = r["built"]
        moved = built.get("move tiles beyond Great Britain", 0)
        build = f"{built['load'] + moved:.1f} ({r['builds']} build(s))" if built else "reused"
        print(
            f"| {r['scale']}x | {r['institutions']:,} | {r['partnerships']:,} | {r['schools']:,} | {build} | "
            f"{_spread(*r['floor'])} | {_spread(*r['gaps'])} | {_spread(*r['gaps_before'])} ({r['before_repeat']}) | "
            f"{_spread(*r['allocation'])} |"
        )
    print()
    print("| scale | suggestions ms (n) | suggestions ms, pairwise (n) | suggestion rows | same suggestions |")
    print("|---" * 5 + "|")
    for r in results:
        old = r["suggestions_before"]
        print(
            f"| {r['scale']}x | {_spread(*r['suggestions'])} ({len(r['suggestions'][0])}) | "
            f"{_spread(*old)} ({len(old[0])}) | {r['suggestions_rows']:,} | {r['same_suggestions']} |"
        )
    print()
    print(
        "| scale | band join: operator, candidate pairs | grid: operator, candidates "
        "| rows only in grid / only in band join / other differences (exact) | exact ties, grid took the lower code "
        "| gaps identical |"
    )
    print("|---" * 6 + "|")
    for r in results:
        only_grid, only_band, other, ties = r["identical"]
        print(
            f"| {r['scale']}x | {r['band'][0]}, {r['band'][1]:,} | {r['grid'][0]}, {r['grid'][1]:,} | "
            f"{only_grid} / {only_band} / {other} | {ties} | {r['same_gaps']} |"
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
