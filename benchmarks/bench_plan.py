"""Time what a planner waits for after one membership change: the plan checked, its roster
made, and the gaps and the allocation worked out again on the draft map (and, as the Plan page
also does, the suggestions) on the Norfolk store and an England-sized one, against the bare
gaps call on the same connection in the same run; the best plan (`suggest --best`, the Plan
page's "best alternative for every gap shown"), worked out on the draft as it grows; and the
Plan page itself (AppTest): a click on a suggestion to the end of the page's run, each click
adding one more change to the draft.

    python benchmarks/bench_plan.py [--quick] [--repeat N]

Prints the median and the spread (min–max) of each; it never fails on a timing.
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
import polars as pl
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stores import bench_stores  # noqa: E402
from pipelines.base import config  # noqa: E402
from pipelines.rules import allocate, plan, plan_best
from pipelines.rules.allocate import AllocationSettings  # noqa: E402


def _times_ms(fn, repeat: int) -> list[float]:
    fn()  # warm: the first call plans the macros
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _show(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} ms ({min(times):.0f}–{max(times):.0f})"


def one_change(con: duckdb.DuckDBPyConnection) -> tuple[plan.PlanChange, ...]:
    """The first rank-1 suggestion that changes something: what a click on the Plan page adds."""
    found = allocate.membership_suggestions(con).filter((pl.col("rank") == 1) & (pl.col("change") != "none"))
    first = found.row(0, named=True)
    same = found.filter(
        (pl.col("gap_code") == first["gap_code"])
        & (pl.col("gap_institution_id").eq_missing(first["gap_institution_id"]))
        & (pl.col("gap_partnership_code").eq_missing(first["gap_partnership_code"]))
    )
    return tuple(
        plan.PlanChange(r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in same.iter_rows(named=True)
    )


def after_change(con: duckdb.DuckDBPyConnection, changes: tuple[plan.PlanChange, ...], with_suggestions: bool) -> None:
    """The dashboard's work for a new draft: check it, make its roster once, then every figure on it."""
    plan.check(con, changes, None)
    roster = plan.proposed_roster(con, changes, None)
    chosen = AllocationSettings(total=Decimal(500_000), changes=changes)
    allocate.coverage_gaps(con, changes=changes, roster=roster)
    allocate.allocate(con, chosen, roster=roster)
    if with_suggestions:
        allocate.membership_suggestions(con, changes=changes, roster=roster)


def best_plan(con: duckdb.DuckDBPyConnection, runs: int) -> str:
    """The best plan's time (it takes seconds: a few runs, no warm-up beyond the calls above)
    and what it does, against the floor the caller prints."""
    times, best = [], None
    for _ in range(runs):
        started = time.perf_counter()
        best = plan_best.best_plan(con)
        times.append((time.perf_counter() - started) * 1000)
    assert best is not None
    return f"{_show(times)}, {runs} runs: {best.summary()}, {len(best.unclosed)} gaps left open with the reason"


def measure(label: str, store: Path, repeat: int) -> None:
    con = duckdb.connect(str(store), read_only=True)
    try:
        changes = one_change(con)
        bare = _times_ms(lambda: allocate.coverage_gaps(con), repeat)
        suggest = _times_ms(lambda: allocate.membership_suggestions(con), repeat)
        redo = _times_ms(lambda: after_change(con, changes, False), repeat)
        page = _times_ms(lambda: after_change(con, changes, True), repeat)
        best = best_plan(con, 1 if repeat < 5 else 3)
        sizes = con.execute(
            "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM partnerships), (SELECT count(*) FROM memberships)"
        ).fetchall()[0]
    finally:
        con.close()
    floor = statistics.median(bare)
    print(
        f"{label} ({sizes[0]:,} institutions, {sizes[1]:,} partnerships, {sizes[2]:,} memberships), "
        f"one change ({'; '.join(c.describe() for c in changes)}), {repeat} runs:"
    )
    print(f"  bare gaps call (floor)                      {_show(bare)}")
    print(f"  suggestions on the loaded map               {_show(suggest)}: {statistics.median(suggest) / floor:.1f}x the floor")
    print(f"  after one change: gaps + allocation         {_show(redo)}: {statistics.median(redo) / floor:.1f}x the floor")
    print(f"  after one change: + suggestions (Plan page) {_show(page)}: {statistics.median(page) / floor:.1f}x the floor")
    print(f"  the best plan (suggest --best)              {best}")


def page_clicks(store: Path, repeat: int) -> list[float]:
    """A click on the first suggestion offered, then the page's whole run (the sidebar, the
    suggestions on the new draft, the side-by-side tables and both maps)."""
    config.DEFAULT_DB = store
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=300)
    app.run()
    app.switch_page("app_pages/plan.py").run()
    times = []
    for _ in range(repeat + 1):  # the first click warms the draft's queries
        offered = [
            b for b in app.button if b.key and b.key.startswith("plan_apply_") and b.key != "plan_apply_best" and not b.disabled
        ]
        if not offered:
            break
        offered[0].click()
        started = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not app.exception, [e.message for e in app.exception]
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="three repeats, Norfolk only (CI smoke run)")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        for label, store in bench_stores(Path(tmp), england=not args.quick):
            measure(label, store, repeat)
            clicks = page_clicks(store, repeat)
            if clicks:
                print(
                    f"  Plan page (AppTest): a click on a suggestion to the end of the run {_show(clicks)}, "
                    f"{len(clicks)} clicks, the draft growing to {len(clicks) + 1} alternatives"
                )


if __name__ == "__main__":
    main()
