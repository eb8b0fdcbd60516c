"""Command line: build the store, check or load files, allocate the pot, list coverage gaps, suggest
and try membership plans, write the meeting pack, approve a decision, read decisions and the audit log.

Exit codes: 0 success, 2 a flag's value cannot be used (one line: the flag, what it got, what it
expects; see pipelines/cli/flags.py), or the file has errors (the full report is on stderr; nothing
changed), or is not a file to read (a pipe, a folder, over the size limit), or the allocation was refused,
or the store cannot be used as it is (damaged, written by a newer release, another writer busy,
held open by another program; the reason is on stderr), 1 anything else (e.g. a missing file, a
full disk, a read-only folder: one line on stderr saying what to do; nothing changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.base import config, invocation, typed_values
from pipelines.base.refusals import Failed, Refused
from pipelines.cli import figures_cli, flags, pack_cli, plan_cli, records_cli
from pipelines.datasets import build_default, build_la
from pipelines.ingest.layouts import KINDS
from pipelines.ingest.load import Upload, check_file, load
from pipelines.ingest.problems import ValidationFailed
from pipelines.rules.allocate import AllocationRefused
from pipelines.store import backup, db

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = flags.Parser(prog=invocation.program(), description=__doc__.splitlines()[0])
    db_help = f"the store to use (default: {config.DEFAULT_DB})"
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build",
        help="(re)build the store: from the embedded default data in data/default, or with --la for any English "
        "authority from the England data pack",
    )
    build.add_argument("--db", type=Path, default=config.DEFAULT_DB, help=db_help)
    source = build.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, default=config.DEFAULT_DATA_DIR, help="folder of default files")
    source.add_argument(
        "--la",
        metavar="CODE|NAME",
        help="the authority to build for: its 3-digit code (886) or its name (kent, 'Bath & North East Somerset')",
    )
    build.add_argument(
        "--start",
        choices=build_la.STARTS,
        help="with --la, the starting partnership map: one partnership per district of the schools and colleges in it "
        "(districts, the default), or none (every school a gap)",
    )
    build.add_argument(
        "--replace",
        action="store_true",
        help="build over a store of another authority, leaving its records (scenarios, decisions, audit log) "
        "behind; back it up first",
    )

    for name, helptext in (
        ("load", "validate one file and load it in one transaction"),
        ("check", "validate one file and print the report; write nothing"),
    ):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("kind", choices=KINDS, help="what the file holds")
        sub.add_argument("file", type=Path, help="a CSV or XLSX file")

    allocate = commands.add_parser("allocate", help="share the pot between accredited partnerships by Year 10")
    _add_settings_flags(allocate)
    allocate.add_argument("--out", type=Path, help="write CSV or XLSX (by extension); a folder gets a named file")

    pack = commands.add_parser("pack", help="write the meeting pack: an A4 PDF with the map, the allocation and the gaps")
    _add_settings_flags(pack)
    pack.add_argument("--out", type=Path, required=True, help="the PDF to write; a folder gets a named file")

    gaps = commands.add_parser("gaps", help="list where the partnership map breaks the rules")
    gaps.add_argument("--census", type=_date, help="census date YYYY-MM-DD (default: as for allocate)")
    gaps.add_argument("--as-of", type=_date, help="memberships on this day (default: the data's reference date, else today)")
    gaps.add_argument("--include-pending", action="store_true", help="treat pending partnerships as funded")
    gaps.add_argument("--travel-km", type=flags.km, default=config.DEFAULT_TRAVEL_KM, help="distance that flags a school")
    gaps.add_argument("--out", type=Path, help="write CSV or XLSX (by extension)")
    suggest = commands.add_parser(
        "suggest", help="ways to close each gap a membership change can close, best first, as a plan file"
    )
    suggest.add_argument("--census", type=_date, help="census date YYYY-MM-DD (default: as for allocate)")
    suggest.add_argument("--as-of", type=_date, help="memberships on this day (default: the data's reference date, else today)")
    suggest.add_argument("--include-pending", action="store_true", help="treat pending partnerships as funded")
    suggest.add_argument(
        "--treat-as-accredited", nargs="*", default=[], metavar="CODE", help="fund these partnerships whatever their status"
    )
    suggest.add_argument("--travel-km", type=flags.km, default=config.DEFAULT_TRAVEL_KM, help="distance that flags a school")
    suggest.add_argument(
        "--alternatives",
        type=flags.whole_number(1, 10),
        default=config.SUGGESTED_ALTERNATIVES,
        metavar="N",
        help=f"how many ways to close each gap, 1 to 10 (default {config.SUGGESTED_ALTERNATIVES})",
    )
    suggest.add_argument(
        "--best",
        action="store_true",
        help="the best plan: for each gap the best way that still works on the draft as it grows (errors first); "
        "lists the gaps it could not close and why",
    )
    suggest.add_argument("--out", type=Path, help="write the suggestions as CSV (a plan file: keep the rows you agree with)")

    plan = commands.add_parser("plan", help="a plan's gaps and allocation before and after, and its proposed roster")
    plan.add_argument("--changes", type=Path, required=True, help="the plan: CSV or XLSX with the columns of suggest's output")
    _add_settings_flags(plan, total_required=False)
    plan.add_argument("--travel-km", type=flags.km, default=config.DEFAULT_TRAVEL_KM, help="distance that flags a school")
    plan.add_argument("--out", type=Path, help="write the proposed roster (the roster loader's layout) to this CSV")
    plan.add_argument("--load", action="store_true", help="approve the plan: load its roster into the store now")
    plan.add_argument("--by", help="who approves the plan (for the audit log; default: this computer's user)")

    approve = commands.add_parser(
        "approve", help="approve an allocation as the Group's decision: by settings or a saved scenario"
    )
    records_cli.add_approve_flags(approve, lambda sub: _add_settings_flags(sub, total_required=False))

    decisions = commands.add_parser("decisions", help="list approved decisions, or write one's frozen CSV/XLSX")
    decisions.add_argument(
        "id", type=flags.record_id, nargs="?", help="a decision number: show it (and with --out, write its file)"
    )
    decisions.add_argument("--out", type=Path, help="write the decision's CSV or XLSX (by extension), exactly as approved")

    audit = commands.add_parser("audit", help="print the audit log and check that nobody has changed it")
    audit.add_argument("--last", type=flags.count, default=50, help="how many of the newest entries to print (default 50)")
    audit.add_argument("--out", type=Path, help="write the whole log as CSV")
    audit.add_argument(
        "--anchor",
        metavar="N:HEX",
        help="also check an export's 'audit log: N entries, head HEX' against the log (exit 2 if not)",
    )

    commands.add_parser(
        "upgrade",
        help="bring a store an earlier release wrote up to this release; one from before the keyed audit log has its "
        "log checked by the old rule and sealed with the key as it stands (routine commands never do that)",
    )

    make_key = commands.add_parser(
        "make-key",
        help="make a new audit key file (never replaces one): for a new installation, or a store from a release before "
        "the keyed log, before its first use",
    )
    make_key.add_argument(
        "--out", type=Path, help="where to write it (default: $PARTNERSHIP_AUDIT_KEY_FILE, else this user's key file)"
    )

    copy = commands.add_parser("backup", help="copy the store, under the writer lock, with a .sha256 checksum file beside it")
    copy.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the backup file to write (*.duckdb), or a folder (made if missing): a file named by the date and time goes in it",
    )
    copy.add_argument(
        "--keep",
        type=flags.count,
        metavar="N",
        help="with a folder: keep the newest N backups made there, delete older ones (default: keep all)",
    )
    restore = commands.add_parser("restore", help="replace the store with a backup, once the backup is checked; audited")
    restore.add_argument("file", type=Path, help="a file written by the backup command (its .sha256 file beside it)")
    restore.add_argument("--by", help="who restores (for the audit log; default: this computer's user)")
    restore.add_argument(
        "--accept-unverified",
        action="store_true",
        help="restore a backup whose audit log does not verify under the key in use (recorded in the log, which "
        "reports those entries as not verified from then on)",
    )
    # Every command that opens a store takes --db, last (build names it before its data folder).
    for name, command in commands.choices.items():
        if name not in ("build", "make-key"):
            command.add_argument("--db", type=Path, default=config.DEFAULT_DB, help=db_help)
    return parser


def _add_settings_flags(command: argparse.ArgumentParser, *, total_required: bool = True) -> None:
    """The allocation settings, shared by every command that allocates so they cannot drift apart."""
    command.add_argument("--total", type=flags.money, required=total_required, help="the pot in pounds, e.g. 500000 or 500000.50")
    command.add_argument(
        "--lump-sum", type=flags.money, default="0", help="pounds given to every funded partnership first (default 0)"
    )
    command.add_argument("--unit", choices=config.ROUNDING_UNITS, default="1", help="round to whole pounds or pence")
    command.add_argument(
        "--census",
        type=_date,
        help="census date YYYY-MM-DD (default: the latest with a Year 10 figure "
        "for every member school of the funded partnerships)",
    )
    command.add_argument(
        "--as-of", type=_date, help="memberships and accreditation on this day (default: the data's reference date, else today)"
    )
    command.add_argument(
        "--accept-missing-census",
        action="store_true",
        help="allocate even if funded member schools have no Year 10 figure on the census (they count as 0)",
    )
    command.add_argument("--include-pending", action="store_true", help="fund partnerships whose accreditation is pending")
    command.add_argument(
        "--treat-as-accredited", nargs="*", default=[], metavar="CODE", help="fund these partnerships whatever their status"
    )
    command.add_argument(
        "--day-rate", type=flags.money_above_zero, default=str(config.DEFAULT_DAY_RATE), help="pounds per manager day"
    )
    command.add_argument("--weeks", type=flags.weeks, default=str(config.DEFAULT_WEEKS_PER_YEAR), help="weeks per year")
    slice_ = command.add_mutually_exclusive_group()
    slice_.add_argument(
        "--top-slice",
        type=flags.money,
        default="0",
        metavar="AMOUNT",
        help="pounds taken off the pot first for the county's strategic support (default 0)",
    )
    slice_.add_argument(
        "--top-slice-pct",
        type=flags.percent,
        metavar="PCT",
        help="the top-slice as a percentage of the pot (rounded down to the unit)",
    )
    command.add_argument(
        "--protect-loss",
        type=flags.percent,
        metavar="PCT",
        help="no funded partnership gets less than (100 - PCT)%% of its previous (2008/9) amount",
    )
    command.add_argument(
        "--protect-gain",
        type=flags.gain_percent,
        metavar="PCT",
        help=f"none gets more than (100 + PCT)%% of its previous amount (PCT up to {typed_values.MAX_GAIN_PERCENT:,})",
    )
    command.add_argument(
        "--manager-cost",
        type=flags.money_above_zero,
        metavar="AMOUNT",
        help="a full-time manager's yearly cost: FTE = amount / cost (default: days at the day rate)",
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {typed_values.shown(text)}; expected a date as YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    import logging  # here, not at the top: main() alone owns the command line's logging set-up

    from pipelines.base import logs

    parser = _parser()
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        type=str.upper,
        help=f"log to stderr from this level (default: ${logs.LEVEL_ENV}, else {logs.DEFAULT_LEVEL}); before the command",
    )
    args = parser.parse_args(argv)
    logs.setup(args.log_level)
    logger = logging.getLogger("pipelines.cli")  # not __name__: run as -m, that is "__main__"
    try:
        run = _ON_THE_STORE_AS_IT_IS.get(args.command)
        if run is None:
            db.bring_sql_up_to_date(args.db)  # a store an earlier release wrote (logged when it is)
            run = _ON_AN_UP_TO_DATE_STORE[args.command]
        return run(args)
    except ValidationFailed as failure:
        logger.warning("%s refused: %s, %d errors", args.command, failure.report.file, len(failure.report.errors))
        print(failure.report.format(), file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    except AllocationRefused as refusal:
        logger.warning("%s: allocation refused: %s", args.command, refusal)
        print(f"allocation refused: {refusal}", file=sys.stderr)
        return EXIT_INVALID
    except Refused as problem:  # the store (damaged, newer, writer busy, a bad backup) or anything else refused
        logger.warning("%s refused: %s", args.command, problem)
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except Failed as failure:  # a full disk, a read-only folder: said with what to do
        logger.error("%s failed: %s", args.command, failure)
        print(f"error: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except duckdb.Error as exc:  # the store let us down part-way through a command that only reads
        meaning = db.store_problem(exc, args.db)
        if meaning is None:
            logger.error("%s failed unexpectedly: %s: %s", args.command, type(exc).__name__, exc)
            raise
        logger.warning("%s stopped: %s", args.command, meaning)
        print(f"error: {meaning}", file=sys.stderr)
        return EXIT_INVALID if isinstance(meaning, Refused) else EXIT_FAILED
    except OSError as exc:  # a missing file, a file or folder this user may not read or write, a full disk
        logger.error("%s failed: %s", args.command, exc)
        said = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
        print(f"error: {said}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # The traceback follows from Python itself; logged here so the journal has the time and command.
        logger.error("%s failed unexpectedly: %s: %s", args.command, type(exc).__name__, exc)
        raise


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.la is None:
        if args.start is not None:
            print(f"error: --start goes with --la (see: {invocation.program()} build --help)", file=sys.stderr)
            return EXIT_INVALID
        results = build_default.build(args.db, args.data, replace=args.replace)
    else:
        made = build_la.build(args.db, args.la, start=args.start or "districts", replace=args.replace)
        results = made.results
    seconds = time.perf_counter() - started
    for result in results:
        print(f"{result.report.file}: {result.rows} rows ({result.report.kind}, {len(result.report.warnings)} warnings)")
    if args.la is not None:
        for line in build_la.report_lines(made):
            print(line)
    print(f"built {args.db} in {seconds:.2f} s")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    checked = check_file(Upload.from_path(args.kind, args.file), args.db)
    print(checked.report.format(), file=sys.stdout if checked.ok else sys.stderr)
    return EXIT_OK if checked.ok else EXIT_INVALID


def _load(args: argparse.Namespace) -> int:
    upload = Upload.from_path(args.kind, args.file)
    result = load(upload, args.db)
    if result.report.warnings:
        print(result.report.format(), file=sys.stderr)
    if result.skipped:
        print(f"{upload.name}: identical to the latest {upload.kind} load (sha256 {result.sha256[:12]}); nothing changed")
    else:
        print(f"{upload.name}: loaded {result.rows} rows into {args.db} (sha256 {result.sha256[:12]})")
    return EXIT_OK


# Each command's function, by when it runs. These first, on the store as it is: build replaces
# it, backup copies it as it is (an upgrade waits until after the backup), restore replaces it
# (the live store may be the damaged one), make-key touches no store, upgrade is the upgrade.
_ON_THE_STORE_AS_IT_IS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": _build,
    "backup": backup.backup_command,
    "restore": backup.restore_command,
    "make-key": records_cli.make_key_command,
    "upgrade": records_cli.upgrade_command,
}
# The rest once the store's SQL is brought up to date.
_ON_AN_UP_TO_DATE_STORE: dict[str, Callable[[argparse.Namespace], int]] = {
    "allocate": figures_cli.allocate_command,
    "gaps": figures_cli.gaps_command,
    "suggest": plan_cli.suggest_command,
    "plan": plan_cli.plan_command,
    "pack": pack_cli.pack_command,
    "approve": records_cli.approve_command,
    "decisions": records_cli.decisions_command,
    "audit": records_cli.audit_command,
    "check": _check,
    "load": _load,
}


if __name__ == "__main__":
    sys.exit(main())
