"""Command line: build the store from the default data, check or load one file.

Exit codes: 0 success, 2 the file has errors (the full report is on stderr; nothing changed),
1 anything else (for example a missing file).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipelines import build_default, settings
from pipelines.layouts import KINDS
from pipelines.load import Upload, check_file, load
from pipelines.problems import ValidationFailed

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.splitlines()[0])
    db_help = f"the store to use (default: {settings.DEFAULT_DB})"
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="(re)build the store from the embedded default data in data/default")
    build.add_argument("--db", type=Path, default=settings.DEFAULT_DB, help=db_help)
    build.add_argument("--data", type=Path, default=settings.DEFAULT_DATA_DIR, help="folder of default files")

    for name, helptext in (("load", "validate one file and load it in one transaction"),
                           ("check", "validate one file and print the report; write nothing")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("kind", choices=KINDS, help="what the file holds")
        sub.add_argument("file", type=Path, help="a CSV or XLSX file")
        sub.add_argument("--db", type=Path, default=settings.DEFAULT_DB, help=db_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        upload = Upload.from_path(args.kind, args.file)
        if args.command == "check":
            checked = check_file(upload, args.db)
            print(checked.report.format(), file=sys.stdout if checked.ok else sys.stderr)
            return EXIT_OK if checked.ok else EXIT_INVALID
        return _load(upload, args.db)
    except ValidationFailed as failure:
        print(failure.report.format(), file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    results = build_default.build(args.db, args.data)
    seconds = time.perf_counter() - started
    for result in results:
        print(f"{result.report.file}: {result.rows} rows ({result.report.kind}, {len(result.report.warnings)} warnings)")
    print(f"built {args.db} in {seconds:.2f} s")
    return EXIT_OK


def _load(upload: Upload, db_path: Path) -> int:
    result = load(upload, db_path)
    if result.report.warnings:
        print(result.report.format(), file=sys.stderr)
    if result.skipped:
        print(f"{upload.name}: identical to the latest {upload.kind} load (sha256 {result.sha256[:12]}); nothing changed")
    else:
        print(f"{upload.name}: loaded {result.rows} rows into {db_path} (sha256 {result.sha256[:12]})")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
