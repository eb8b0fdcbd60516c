"""The allocate and gaps commands: a readable table on the terminal and, on request, a file."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import polars as pl

from pipelines.base import clock
from pipelines.base.money import pounds
from pipelines.outputs import exports
from pipelines.rules import allocate
from pipelines.store import audit_chain, db, provenance

# Each allocation setting is read from the flag of its name, but for these: a plan's changes come
# from its file, not from a flag.
_FLAG_OF_SETTING: dict[str, str | None] = {"census_date": "census", "weeks_per_year": "weeks", "changes": None}


def settings_from_args(args: argparse.Namespace) -> allocate.AllocationSettings:
    """The allocation settings flags (shared by allocate, pack and approve) read one way."""
    given = {}
    for setting in dataclasses.fields(allocate.AllocationSettings):
        flag = _FLAG_OF_SETTING.get(setting.name, setting.name)
        if flag is not None:
            given[setting.name] = getattr(args, flag)
    return allocate.AllocationSettings(**given)


def allocation_table(frame: pl.DataFrame, chosen: allocate.AllocationSettings, summary: dict) -> str:
    header = (
        f"{'Code':<18} {'Partnership':<40} {'Funded':<6} {'Year 10':>9} {'Share %':>8} {'Amount':>14} {'Days/wk':>8} "
        f"{'Previous':>13} {'Change':>14}"
    )
    lines = [header, "-" * len(header)]
    for r in frame.iter_rows(named=True):
        lines.append(
            f"{r['partnership_code']:<18} {r['partnership_name'][:40]:<40} {'yes' if r['funded'] else 'no':<6} "
            f"{r['year10']:>9.1f} {r['share_percent']:>8.2f} {pounds(r['amount']):>14} {r['days_per_week']:>8.2f} "
            f"{pounds(r['previous_amount']):>13} {pounds(r['change']):>14}"
        )
    total = summary["amount_total"]
    lines.append("-" * len(header))
    if summary["top_slice"]:
        lines.append(
            f"{exports.TOP_SLICE_CODE:<18} {exports.TOP_SLICE_NAME:<40} {'':<6} {'':>9} {'':>8} "
            f"{pounds(summary['top_slice']):>14}"
        )
    check = "equals" if summary["pot_total"] == chosen.total else "DOES NOT EQUAL"
    with_slice = f" + top-slice {pounds(summary['top_slice'])}" if summary["top_slice"] else ""
    lines.append(
        f"Total {pounds(total)}{with_slice} {check} the pot {pounds(chosen.total)}; "
        f"census {clock.day_text(frame['census_date'][0])}, as of {clock.day_text(frame['as_of'][0])}"
    )
    protected = frame.filter(pl.col("protection_note").is_not_null()) if "protection_note" in frame.columns else frame.head(0)
    for r in protected.iter_rows(named=True):
        lines.append(f"  {r['partnership_code']}: {r['protection_note']}")
    unfunded = frame.filter(~pl.col("funded"))
    for r in unfunded.iter_rows(named=True):
        lines.append(f"  {r['partnership_code']}: {r['funding_reason']}")
    return "\n".join(lines)


def allocate_command(args: argparse.Namespace) -> int:
    chosen = settings_from_args(args)
    con = db.connect_read_only(args.db)
    try:
        frame = allocate.allocate(con, chosen)
        version = allocate.data_version(con)
        files = allocate.loaded_files(con)
        status = provenance.data_status(con)
        summary = allocate.summarise(con, frame)
        anchor = audit_chain.anchor(con)
        dataset = allocate.dataset_name(con)
    finally:
        con.close()
    print(allocation_table(frame, chosen, summary))
    print(
        f"Data status: {provenance.data_status_line(status)} "
        f"(last loaded {clock.uk_text(provenance.last_loaded(status), 'never')})"
    )
    if args.out:
        census_date = frame["census_date"][0]
        path = _out_path(args.out, exports.allocation_filename(chosen, census_date, "csv"))
        if path.suffix.lower() == ".xlsx":
            data = exports.allocation_xlsx(
                frame, chosen, version, files, clock.utc_now(), data_status=status, audit_anchor=anchor, dataset=dataset
            )
        else:
            data = exports.allocation_csv(frame, chosen, version, data_status=status, audit_anchor=anchor, dataset=dataset)
        path.write_bytes(data)
        print(f"wrote {path}")
    return 0


def gaps_command(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        frame = allocate.coverage_gaps(
            con, as_of=args.as_of, census_date=args.census, include_pending=args.include_pending, travel_km=args.travel_km
        )
        dataset = allocate.dataset_name(con)
    finally:
        con.close()
    for r in frame.iter_rows(named=True):
        where = r["partnership_code"] or "-"
        print(f"{r['severity']:<8} {r['code']:<24} {where:<18} {r['detail']}")
    counts = frame.group_by("code").len().sort("code")
    print("; ".join(f"{code}: {n}" for code, n in counts.rows()) or "no gaps")
    if args.out:
        path = _out_path(args.out, "coverage_gaps.csv")
        xlsx = path.suffix.lower() == ".xlsx"
        data = exports.gaps_xlsx(frame, clock.utc_now(), dataset) if xlsx else exports.gaps_csv(frame, dataset)
        path.write_bytes(data)
        print(f"wrote {path}")
    return 0


def _out_path(out: Path, default_name: str) -> Path:
    return out / default_name if out.is_dir() else out
