"""The suggest and plan commands: ways to close the gaps, and a plan's effect before it is made.

`suggest` writes the suggestions as CSV in the plan layout; `plan --changes FILE` reads such a
file (edited by hand or not), prints the gaps and the allocation before and after, writes the
proposed roster with --out and, with --load, loads it as the store's rosters."""

from __future__ import annotations

import argparse
import dataclasses
import functools
from decimal import Decimal

import duckdb
import polars as pl

from pipelines.base import config, csv_out, input_file, invocation
from pipelines.base.money import pounds
from pipelines.cli import figures_cli
from pipelines.ingest.problems import ValidationFailed
from pipelines.rules import allocate, plan, plan_best, plan_compare, plan_file
from pipelines.store import db


def suggest_command(args: argparse.Namespace) -> int:
    settings = {
        "as_of": args.as_of,
        "census_date": args.census,
        "include_pending": args.include_pending,
        "travel_km": args.travel_km,
        "treat_as_accredited": tuple(args.treat_as_accredited),
        "alternatives": args.alternatives,
    }
    con = db.connect_read_only(args.db)
    try:
        # --best: worked out on the draft as it grows (pipelines/rules/plan_best.py), as the Plan page's
        # "best alternative for every gap" button does.
        best = plan_best.best_plan(con, **settings) if args.best else None
        found = best.rows if best is not None else allocate.membership_suggestions(con, **settings)
    finally:
        con.close()
    for r in found.iter_rows(named=True):
        target = r["partnership_code"] or "-"
        member = "" if r["member_id"] is None else str(r["member_id"])
        print(f"{r['gap_code']:<24} {r['rank']:>2} {r['change']:<6} {target:<18} {member:<9} {r['reason']}")
    if best is None:
        gaps = found.select("gap_code", "gap_partnership_code", "gap_institution_id").unique()
        print(f"{found.height} suggested changes for {gaps.height} gaps")
    else:
        print(f"The best plan: {best.summary()}")
        for heading, listed in (("Could not close", best.unclosed), ("Opened while closing errors", best.opened)):
            if listed:
                print(f"{heading} {len(listed)} gaps:")
                print("\n".join(f"  {gap.line()}" for gap in listed))
    if args.out:
        path = args.out / "suggestions.csv" if args.out.is_dir() else args.out
        path.write_bytes(csv_out.frame_csv(found).encode("utf-8"))
        print(f"wrote {path}: keep the rows you agree with and pass it to: {invocation.command(f'plan --changes {path}')}")
    return 0


def plan_command(args: argparse.Namespace) -> int:
    upload_name, data = args.changes.name, input_file.read_input(args.changes, "a plan: a CSV or XLSX file")
    changes, labels, checked = plan_file.read_changes(upload_name, data)
    if args.total is None:  # the dashboard's starting pot
        args.total = str(config.DEFAULT_TOTAL)
    chosen = figures_cli.settings_from_args(args)
    con = db.connect_read_only(args.db)
    try:
        if checked.ok:
            plan_file.check_against_store(con, changes, labels, chosen.as_of, checked)
        if not checked.ok:
            raise ValidationFailed(checked)
        proposed = dataclasses.replace(chosen, changes=changes)
        roster = plan.proposed_roster(con, changes, chosen.as_of, labels)  # once, for the figures and the file
        print(_effect(con, chosen, proposed, args.travel_km, roster))
    finally:
        con.close()
    if args.out:
        path = args.out / "proposed_roster.csv" if args.out.is_dir() else args.out
        path.write_bytes(plan.roster_csv(roster))
        print(f"wrote {path} ({roster.height} roster rows): load it with: {invocation.command(f'load roster {path}')}")
    if args.load:
        result = plan_file.load_plan(args.db, changes, chosen.as_of, args.by or "")
        if result.skipped:
            print("the store's rosters are already those of this plan; nothing changed")
        else:
            print(f"loaded the plan's roster ({result.rows} rows, sha256 {result.sha256[:12]}) into {args.db}")
    return 0


def _effect(
    con: duckdb.DuckDBPyConnection,
    current: allocate.AllocationSettings,
    proposed: allocate.AllocationSettings,
    travel_km: float,
    roster: pl.DataFrame,
) -> str:
    """Gaps by code and the allocation, before and after, as terminal text."""
    gaps = functools.partial(
        allocate.coverage_gaps,
        con,
        as_of=current.as_of,
        census_date=current.census_date,
        include_pending=current.include_pending,
        travel_km=travel_km,
        treat_as_accredited=current.treat_as_accredited,
    )
    counts = plan_compare.gap_counts(con, gaps(), gaps(changes=proposed.changes, roster=roster))
    lines = [f"Plan of {len(proposed.changes)} changes:"]
    lines += [f"  {c.describe()}" for c in proposed.changes]
    lines += ["", f"{'Gaps by code':<26} {'before':>7} {'after':>7} {'change':>7}"]
    lines += [f"{r['code']:<26} {r['before']:>7} {r['after']:>7} {r['change']:>+7}" for r in counts.iter_rows(named=True)]
    money = plan_compare.allocation_change(con, allocate.allocate(con, current), allocate.allocate(con, proposed, roster=roster))
    lines += [
        "",
        f"Allocation of {pounds(current.total)}:",
        f"{'Code':<18} {'Partnership':<40} {'Year 10':>9} {'before':>13} {'after':>13} {'change':>13}",
    ]
    for r in money.iter_rows(named=True):
        lines.append(
            f"{r['partnership_code']:<18} {(r['partnership_name'] or '')[:40]:<40} {_num(r['year10_after']):>9} "
            f"{pounds(r['amount_before']):>13} {pounds(r['amount_after']):>13} {pounds(r['amount_change']):>13}"
        )
    largest = money.sort(pl.col("amount_change").abs(), descending=True).row(0, named=True) if money.height else None
    if largest is not None:
        lines.append(f"Largest change: {largest['partnership_code']} {pounds(largest['amount_change'])}")
    return "\n".join(lines)


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}"
