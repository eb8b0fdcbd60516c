"""The command line: exit codes, where the report goes, and --db on every command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import BAD, SMALL
from pipelines.__main__ import main


def test_build_then_load_and_check(tmp_path, capsys):
    store = tmp_path / "cli.duckdb"
    assert main(["build", "--db", str(store), "--data", str(SMALL)]) == 0
    assert "built" in capsys.readouterr().out
    census = tmp_path / "c.csv"
    census.write_text("urn,census_date,nc_year,headcount\n100001,2026-01-15,10,5\n")
    assert main(["check", "census", str(census), "--db", str(store)]) == 0
    assert main(["load", "census", str(census), "--db", str(store)]) == 0
    assert "loaded 1 rows" in capsys.readouterr().out
    assert main(["load", "census", str(census), "--db", str(store)]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_a_bad_file_exits_2_with_the_report_on_stderr(store, capsys):
    code = main(["load", "census", str(BAD / "census_suppressed_x.csv"), "--db", str(store)])
    captured = capsys.readouterr()
    assert code == 2
    assert "census_suppressed_x.csv, row 3, column 'headcount'" in captured.err
    assert "Nothing was changed." in captured.err
    assert captured.out == ""


def test_a_missing_file_exits_1(store, capsys):
    assert main(["load", "census", "/no/such/file.csv", "--db", str(store)]) == 1
    assert "No such file" in capsys.readouterr().err


def test_unknown_kind_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_:
        main(["load", "pupils", "x.csv"])
    assert exit_.value.code == 2


def test_module_runs_as_a_program(store):
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "check", "roster", str(BAD / "roster_bad_role.csv"), "--db", str(store)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "roster_bad_role.csv, row 2, column 'role'" in done.stderr
