"""What the command line says and how it exits, for a fixed list of invocations, as golden text.

Moving code between modules must not change a word the person at the keyboard sees nor an exit
code a script tests: tests/test_cli_unchanged.py compares each invocation with
tests/golden/cli.json. After a deliberate change to the command line, rewrite that file with
``python tests/cli_golden.py`` and review the difference before committing it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SMALL = TESTS / "data" / "small"
GOLDEN = TESTS / "golden" / "cli.json"
# argparse wraps help to the terminal's width; log lines carry the time, the words recorded do not.
ENVIRONMENT = {"COLUMNS": "100", "PARTNERSHIP_LOG_LEVEL": "CRITICAL"}

HELP_TOPICS = (
    "build", "load", "check", "allocate", "pack", "gaps", "suggest", "plan", "approve",
    "decisions", "audit", "upgrade", "make-key", "backup", "restore",
)  # fmt: skip

# Each: the words after the program's name; {store} is a copy of the small store, {tmp} a folder,
# {tests} the tests' folder.
INVOCATIONS = (
    (),
    ("--help",),
    *((topic, "--help") for topic in HELP_TOPICS),
    ("frobnicate",),
    ("allocate", "--db", "{store}"),
    ("allocate", "--total", "250000", "--db", "{store}"),
    ("allocate", "--total", "abc", "--db", "{store}"),
    ("allocate", "--total", "-5", "--db", "{store}"),
    ("allocate", "--total", "100000", "--census", "2031-01-01", "--db", "{store}"),
    ("gaps", "--db", "{store}"),
    ("gaps", "--travel-km", "nope", "--db", "{store}"),
    ("suggest", "--db", "{store}"),
    ("decisions", "--db", "{store}"),
    ("decisions", "--show", "99", "--db", "{store}"),
    ("check", "census", "{tests}/data/small/census.csv", "--db", "{store}"),
    ("check", "census", "{tests}/data/bad/census_suppressed_x.csv", "--db", "{store}"),
    ("load", "census", "{tests}/data/bad/census_bad_date.csv", "--db", "{store}"),
    ("load", "census", "/no/such/file.csv", "--db", "{store}"),
    ("load", "census", "{tmp}", "--db", "{store}"),
    ("load", "weather", "{tests}/data/small/census.csv", "--db", "{store}"),
    ("restore", "/no/such/backup.duckdb", "--db", "{store}"),
    ("approve", "--db", "{store}"),
    ("allocate", "--total", "1000", "--db", "{tmp}/missing-folder/store.duckdb"),
    ("approve", "--total", "120000", "--by", "Chair of the Group", "--title", "Spring", "--db", "{store}"),
)


def _run(words: tuple[str, ...], store: Path, tmp: Path) -> dict:
    from pipelines.cli.main import main

    argv = [word.format(store=store, tmp=tmp, tests=TESTS) for word in words]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: --help, a usage error
            code = stop.code if isinstance(stop.code, int) else 1
    return {"argv": list(words), "exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _normalised(text: str, places: dict[str, str]) -> str:
    """Paths of this machine and today's date by name; the time of day and a frozen file's hash
    (it holds the time of approval) as marks."""
    for real, shown in places.items():
        text = text.replace(real, shown)
    text = re.sub(r"\b\d{1,2}:\d{2}(:\d{2})?(am|pm) (GMT|BST)", "<time>", text)
    return re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)


def record(small_store: Path) -> list[dict]:
    """Every invocation's exit code and words, with this machine's paths replaced by names.
    Each command gets its own copy of the small store. The caller sets ENVIRONMENT."""
    from pipelines.base import clock, config

    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        today = clock.uk_time(clock.utc_now()).date()
        places = {
            str(tmp): "<tmp>",
            str(config.DEFAULT_DB): "<default store>",
            str(TESTS): "<tests>",
            clock.day_text(today): "<today>",
            today.isoformat(): "<today>",
        }
        for number, words in enumerate(INVOCATIONS):
            store = tmp / f"store{number}.duckdb"
            shutil.copyfile(small_store, store)
            result = _run(words, store, tmp)
            result["stdout"] = _normalised(result["stdout"], places)
            result["stderr"] = _normalised(result["stderr"], places)
            results.append(result)
    return results


def main() -> None:
    from pipelines.datasets.build_default import build

    os.environ.update(ENVIRONMENT)
    with tempfile.TemporaryDirectory() as folder:
        small_store = Path(folder) / "small.duckdb"
        build(small_store, SMALL)
        GOLDEN.write_text(json.dumps(record(small_store), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    sys.path.insert(0, str(TESTS.parent))
    main()
