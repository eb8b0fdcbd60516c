"""The command line: exit codes, where the report goes, and --db on every command."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from conftest import BAD, SMALL

from pipelines.cli.main import main

DATASET = "Small test county 14-19 partnerships, census January 2025"


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
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "roster_bad_role.csv, row 2, column 'role'" in done.stderr


def test_allocate_prints_a_table_and_writes_csv_and_xlsx(store, tmp_path, capsys):
    args = ["allocate", "--total", "10000", "--as-of", "2025-09-01", "--include-pending", "--db", str(store)]
    assert main(args + ["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Total £10,000.00 equals the pot £10,000.00" in out
    assert (tmp_path / "allocation_total-10000_census-2025-01-16.csv").exists()
    assert main(args + ["--out", str(tmp_path / "a.xlsx")]) == 0
    assert (tmp_path / "a.xlsx").read_bytes().startswith(b"PK")


def test_allocate_refusal_exits_2_with_the_reason(store, capsys):
    assert (
        main(
            [
                "allocate",
                "--total",
                "10000",
                "--as-of",
                "2025-09-01",
                "--include-pending",
                "--db",
                str(store),
                "--lump-sum",
                "6000",
            ]
        )
        == 2
    )
    assert "less than the lump sums" in capsys.readouterr().err


def test_allocate_lists_why_unfunded_partnerships_get_nothing(store, capsys):
    assert main(["allocate", "--total", "10000", "--as-of", "2025-09-01", "--db", str(store)]) == 0
    assert "P2: not funded: accreditation pending since 1 June 2024" in capsys.readouterr().out


def test_gaps_command_counts_codes_and_writes_a_file(store, tmp_path, capsys):
    named = tmp_path / "dataset.csv"
    named.write_text(f'reference_date,name\n2025-09-01,"{DATASET}"\n')
    assert main(["load", "dataset", str(named), "--db", str(store)]) == 0
    out = tmp_path / "gaps.csv"
    assert main(["gaps", "--as-of", "2025-09-01", "--db", str(store), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "not_accredited: 1; review_due: 1; school_uncovered: 1; wbl_not_full_member: 1" in printed
    assert out.read_bytes().startswith(b"\xef\xbb\xbfCode,Severity")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and {r["Dataset"] for r in rows} == {DATASET}  # which authority's gaps, on every row


def test_a_bad_date_is_a_usage_error(store):
    with pytest.raises(SystemExit) as exit_:
        main(["allocate", "--total", "1", "--census", "16/01/2025", "--db", str(store)])
    assert exit_.value.code == 2
