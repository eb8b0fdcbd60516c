"""The approve, decisions and audit commands: record what the Group decided, read it back, and
read the audit trail. There is deliberately no command that edits or removes either.

approve exists so that a fresh install can record a decision before anyone has set up sign-in
for the dashboard: whoever runs it says who approved (--by), and the audit log keeps that.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

import polars as pl

from pipelines.base import clock, free_text, invocation
from pipelines.base.money import pounds
from pipelines.cli import figures_cli, flags
from pipelines.outputs import exports, records
from pipelines.rules import links
from pipelines.store import audit_chain, audit_key, db


def _open(db_path: Path):
    return db.connect_read_only(db_path)


def decisions_command(args: argparse.Namespace) -> int:
    con = _open(args.db)
    try:
        listed = con.sql(db.read_sql("reports/decisions.sql")).pl()
        if args.id is None:
            listed = _as_terminal_text(listed, "title", "approved_by", "status")
            if listed.height == 0:
                print("no decision has been approved yet")
            for r in listed.iter_rows(named=True):
                print(
                    f"#{r['decision_id']:<4} {r['title'][:40]:<40} {pounds(r['total']):>17}  "
                    f"census {clock.day_text(r['census_date'])}  "
                    f"approved by {r['approved_by']} on {clock.uk_text(r['approved_at'])}  {r['status']}"
                )
            return 0
        found = con.sql(db.read_sql("reports/decision.sql"), params={"decision_id": args.id}).pl()
        if found.height == 0:
            print(f"error: there is no decision {args.id}", file=sys.stderr)
            return 1
        record = found.row(0, named=True)
        changes = con.sql(db.read_sql("reports/decision_data_changes.sql"), params={"decision_id": args.id}).pl()
    finally:
        con.close()
    shown_title = free_text.for_terminal(record["title"])
    print(f"decision {args.id}: {shown_title} ({record['status']}); CSV sha256 {record['csv_sha256']}")
    if record.get("note"):
        print(f"note: {free_text.for_terminal(record['note'])}")
    if changes.height:
        print(f"superseded data: {changes.height} file(s) differ from those the decision was made on:", file=sys.stderr)
        for r in changes.iter_rows(named=True):
            print(f"  {r['kind']}: {free_text.for_terminal(r['file_name'])} {r['change']}", file=sys.stderr)
    if record.get("audit_anchor_seq") is not None:
        anchor = audit_chain.Anchor(record["audit_anchor_seq"], record["audit_anchor_hash"])
        print(f"{anchor.text()} when approved (check it with: {anchor.check_command()})")
    if args.out:
        kind = "xlsx" if args.out.suffix.lower() == ".xlsx" else "csv"
        target = args.out / safe_file_name(record[f"{kind}_file_name"]) if args.out.is_dir() else args.out
        target.write_bytes(record[f"{kind}_bytes"])  # the bytes kept at approval, never remade
        print(f"wrote {target}")
    return 0


def _as_terminal_text(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The listing's text as a terminal may show it: a name or title kept by an earlier release
    with an escape sequence or a line break in it shows it escaped, never forges a line."""
    return frame.with_columns(pl.col(c).map_elements(free_text.for_terminal, return_dtype=pl.String) for c in columns)


def safe_file_name(stored: str) -> str:
    """The name a decision's file is written under inside the folder given: its last component
    only, so a name stored as ``../../x.csv`` (the store is only a file; anyone who can write it
    can write that) cannot put the file anywhere but that folder."""
    name = PureWindowsPath(PurePosixPath(stored).name).name  # either separator, and a drive
    if name in ("", ".", "..") or any(ord(ch) < 32 for ch in name):
        raise records.ExportNameRefused(
            f"the decision's stored file name {stored!r} is not a file name; nothing was written; "
            "give --out a file name instead of a folder"
        )
    return name


def upgrade_command(args: argparse.Namespace) -> int:
    db.connect_read_only(args.db).close()  # a missing, damaged or held store is said as such first
    if not db.bring_sql_up_to_date(args.db, seal_legacy=True):
        print(f"{args.db}: already up to date with this release; nothing was changed")
        return 0
    print(f"{args.db}: brought up to date with this release; check its audit log with: {invocation.command('audit')}")
    return 0


def make_key_command(args: argparse.Namespace) -> int:
    key = audit_key.make_key(args.out)
    print(
        f"made a new audit key at {key.source} (key id {key.key_id}); give it to every account that writes the store "
        f"({audit_key.KEY_FILE_ENV}={key.source}) and keep a copy apart from the store's backups"
    )
    return 0


def audit_command(args: argparse.Namespace) -> int:
    if args.anchor:
        try:
            audit_chain.parse_anchor(args.anchor)
        except ValueError as not_an_anchor:
            print(f"error: {not_an_anchor}", file=sys.stderr)
            return 2
    con = _open(args.db)
    try:
        log = con.sql(db.read_sql("reports/audit_log.sql")).pl()
        verdict = audit_chain.verify(con)
        anchor_problem = audit_chain.check_anchor(con, args.anchor, verdict) if args.anchor else None
    finally:
        con.close()
    shown = _as_terminal_text(log.sort("seq").tail(args.last), "actor", "action", "subject", "detail")
    for r in shown.iter_rows(named=True):
        print(
            f"{r['seq']:>6} {clock.uk_text(r['recorded_at'], seconds=True):<33} {r['actor'][:30]:<30} {r['action']:<20} "
            f"{r['subject']:<20} {r['detail'][:80]}"
        )
    if args.out:
        args.out.write_bytes(exports.audit_csv(log))
        print(f"wrote {args.out}")
    for note in verdict.notes():
        print(f"note: {note}")
    broken = False
    if args.anchor:
        if anchor_problem:
            print(f"anchor does NOT match: {anchor_problem}", file=sys.stderr)
            broken = True
        else:
            print(f"anchor {args.anchor.strip()} matches the log")
    if verdict.intact:
        print(f"audit log {verdict.summary()}")
        return 2 if broken else 0
    if verdict.key_id is None:
        print(f"audit log {verdict.summary()}", file=sys.stderr)
    else:
        print(f"audit log {verdict.summary().split(':', 1)[0]}:", file=sys.stderr)
        for problem in verdict.problems():
            print(f"  {problem}", file=sys.stderr)
    return 2


def add_approve_flags(command: argparse.ArgumentParser, add_settings_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """The allocate command's settings flags plus approve's own. The settings' defaults are kept
    on the parser, so the command can tell when settings were given beside --scenario."""
    before = set(vars(command.parse_args([])))
    add_settings_flags(command)
    settings_defaults = {k: v for k, v in vars(command.parse_args([])).items() if k not in before}
    command.add_argument(
        "--scenario", type=flags.record_id, metavar="ID", help="approve a saved scenario (its settings; its name as the title)"
    )
    command.add_argument("--by", help="who approves: a name, kept in the decision and the audit log (required)")
    command.add_argument("--title", help="the decision's title (default: the scenario's name, or the settings in words)")
    command.add_argument("--note", help="a note kept with the decision, e.g. the meeting and minute number")
    command.set_defaults(settings_defaults=settings_defaults)


def _refuse(reason: str) -> int:
    print(f"approval refused: {reason}; nothing was recorded", file=sys.stderr)
    return 2


def approve_command(args: argparse.Namespace) -> int:
    approved_by = (args.by or "").strip()
    if not approved_by:
        return _refuse("say who approves with --by NAME")
    if not args.db.exists():
        raise FileNotFoundError(f"no store at {args.db}; build it with: {invocation.command(f'build --db {args.db}')}")
    given = [k for k, default in args.settings_defaults.items() if getattr(args, k) != default]
    if args.scenario is not None:
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            return _refuse(f"--scenario approves the scenario's own settings; leave out {flags}")
        con = _open(args.db)
        try:
            saved = con.sql(db.read_sql("reports/scenarios.sql")).pl()
        finally:
            con.close()
        found = saved.filter(saved["scenario_id"] == args.scenario)
        if found.height == 0:  # refused as a plan naming a school that is not there is
            return _refuse(f"there is no scenario {args.scenario}")
        scenario = found.row(0, named=True)
        query, scenario_name = json.loads(scenario["query_json"]), scenario["name"]
        title = args.title or scenario_name
    else:
        if args.total is None:
            return _refuse("give the settings (at least --total) or a saved scenario (--scenario ID)")
        chosen = figures_cli.settings_from_args(args)  # the allocate command's reading of the same flags
        query, scenario_name = links.to_query(chosen), None
        title = args.title or free_text.shorten(links.summary(chosen), free_text.DECISION_TITLE)
    try:
        approval = records.approve(
            args.db, query, title=title, approved_by=approved_by, scenario_name=scenario_name, note=args.note
        )
    except ValueError as problem:  # AllocationRefused included: the store is unchanged
        return _refuse(str(problem))
    print(f"approved decision {approval.decision_id}: {title.strip()}")
    print(f"supersedes decision {approval.superseded}" if approval.superseded else "supersedes no earlier decision")
    print(f"CSV sha256 {approval.csv_sha256}")
    return 0
