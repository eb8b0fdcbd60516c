"""Every CSV the tool writes goes through one formula guard (pipelines/base/csv_out.py), and what the
tool wrote loads back through its own loaders as it was."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.base import csv_out
from pipelines.cli.main import main
from pipelines.ingest import load
from pipelines.ingest.load import Upload
from pipelines.outputs import exports, records
from pipelines.rules import plan, plan_file
from pipelines.store import db

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2025, 9, 1)
EVIL = '=HYPERLINK("http://evil.example","x")'
# Names a person may give a partnership: each reaches a spreadsheet as text and loads back as it is.
NAMES = (EVIL, "+44 Partnership", "-North-", "@SUM(A1)", "'=quoted already", "''-twice", "'apostrophe", 'A, "B" C')


def _starts_a_formula(cell: str) -> bool:
    return cell.startswith(csv_out.FORMULA_STARTS)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _unguarded(cells: list[str]) -> list[str]:
    return pl.Series(cells, dtype=pl.String).to_frame("c").select(csv_out.unguard(pl.col("c")))["c"].to_list()


# --- the guard itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*NAMES, "\tx", "\rx", "-5", "'", "", "plain"])
def test_a_guarded_cell_never_starts_a_formula_and_reads_back_as_it_was(text):
    assert not _starts_a_formula(csv_out.guard(text))
    assert _unguarded([csv_out.guard(text)]) == [text]


@given(st.text(alphabet="'=+-@\t\rab ", max_size=8))
def test_guard_and_unguard_are_exact_inverses(text):
    written = csv_out.guard(text)
    assert not _starts_a_formula(written)
    assert _unguarded([written]) == [text]
    if written == text:  # a cell the guard leaves alone is read as it is, too
        assert _unguarded([text]) == [text]


def test_numbers_stay_numbers_and_only_text_is_guarded():
    frame = pl.DataFrame({"name": ["-North", "South"], "change": [-500, 20]})
    assert _cells(csv_out.frame_csv(frame)) == [["name", "change"], ["'-North", "-500"], ["South", "20"]]
    assert _cells(csv_out.rows_csv([["name", "change"], ["=x", -500], [None, 1]]).decode("utf-8")) == [
        ["name", "change"],
        ["'=x", "-500"],
        ["", "1"],
    ]


# --- every writer -------------------------------------------------------------------------------


def _plan_file(tmp_path: Path, *changes: plan.PlanChange) -> Path:
    path = tmp_path / "plan.csv"
    path.write_bytes(plan.changes_csv(changes))
    return path


def _roster_names(store: Path) -> dict[str, str]:
    con = db.connect_read_only(store)
    try:
        return dict(plan_file.current_roster(con, AS_OF).select("partnership_code", "partnership_name").unique().rows())
    finally:
        con.close()


@pytest.mark.parametrize("name", NAMES)
def test_a_plans_roster_is_guarded_and_loads_back_with_the_names_given(store, tmp_path, capsys, name):
    """plan --changes --out wrote `=HYPERLINK(...)` into the roster CSV as it was."""
    changes = (plan.PlanChange("rename", "P1", partnership_name=name), plan.PlanChange("create", "P3", partnership_name=name))
    changes += (plan.PlanChange("add", "P3", 100006),)
    plan_csv = _plan_file(tmp_path, *changes)
    assert not any(_starts_a_formula(c) for row in _cells(plan_csv.read_text(encoding="utf-8")) for c in row)
    out = tmp_path / "roster.csv"
    argv = ["plan", "--changes", str(plan_csv), "--as-of", AS_OF.isoformat(), "--out", str(out), "--db", str(store)]
    assert main(argv) == 0
    written = _cells(out.read_text(encoding="utf-8"))
    assert not any(_starts_a_formula(c) for row in written for c in row)
    assert main(["load", "roster", str(out), "--db", str(store)]) == 0
    capsys.readouterr()
    names = _roster_names(store)
    assert (names["P1"], names["P3"]) == (name, name)


def _load_roster_named(store: Path, tmp_path: Path, names: dict[str, str]) -> None:
    text = (ROOT / "tests" / "data" / "small" / "roster.csv").read_text(encoding="utf-8")
    rows = _cells(text)
    for row in rows[1:]:
        row[1] = names.get(row[0], row[1])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)  # a person's file, written by hand
    path = tmp_path / "hostile_roster.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    load.load(Upload.from_path("roster", path), store)


def test_suggestions_are_guarded_and_read_back_as_a_plan(store, tmp_path, capsys):
    _load_roster_named(store, tmp_path, {"P1": "+North", "P2": EVIL})
    out = tmp_path / "suggestions.csv"
    assert main(["suggest", "--as-of", AS_OF.isoformat(), "--out", str(out), "--db", str(store)]) == 0
    capsys.readouterr()
    cells = _cells(out.read_text(encoding="utf-8"))
    assert any(c == "'" + EVIL for row in cells for c in row)
    assert not any(_starts_a_formula(c) for row in cells for c in row)
    changes, _, report = plan_file.read_changes(out.name, out.read_bytes())
    assert report.ok, report.format()
    assert {c.partnership_name for c in changes} >= {"+North", EVIL}


def test_gaps_audit_and_allocation_files_are_guarded(store, tmp_path, capsys):
    _load_roster_named(store, tmp_path, {"P1": "@North", "P2": EVIL})
    records.save_scenario(store, "=1+1 scenario", {"total": "10000"}, "Chair")
    for argv, out in (
        (["gaps", "--as-of", AS_OF.isoformat()], tmp_path / "gaps.csv"),
        (["audit"], tmp_path / "audit.csv"),
        (["allocate", "--total", "10000", "--include-pending", "--as-of", AS_OF.isoformat()], tmp_path / "allocation.csv"),
    ):
        main([*argv, "--out", str(out), "--db", str(store)])
        cells = _cells(out.read_text(encoding="utf-8-sig"))
        flat = [c for row in cells for c in row]
        assert any(c.startswith(("'@North", "'=")) for c in flat), argv
        assert not any(_starts_a_formula(c) for c in flat), argv
    capsys.readouterr()


def test_an_accreditation_note_typed_on_screen_is_guarded_and_kept_as_typed(store):
    upload = load.accreditation_upload("P1", "accredited", AS_OF, None, "=1+1 agreed", "officer@council.example")
    assert _cells(upload.data.decode("utf-8"))[1][4] == "'=1+1 agreed"
    load.load(upload, store)
    con = duckdb.connect(str(store), read_only=True)
    try:
        notes = con.execute("SELECT notes FROM accreditation_decisions WHERE notes IS NOT NULL").fetchall()
    finally:
        con.close()
    assert ("=1+1 agreed",) in notes


# --- no writer outside the guard ----------------------------------------------------------------

WRITERS = re.compile(r"\.write_csv\(|\bcsv\.writer\(|\bcsv\.DictWriter\(|\.to_csv\(|\.sink_csv\(")
# Where code may write CSV without the guard, and why.
NOT_A_FILE_WRITTEN = {
    # A file being READ: old-Mac line ends turned into ones polars reads; every cell is kept as it was.
    "pipelines/ingest/readers.py",
}
# What a CSV download button on a page may offer: bytes from the guarded writers only.
GUARDED_DOWNLOADS = re.compile(
    r"^(lambda: )?(exports\.\w+_csv|queries\.allocation_csv|plan\.(roster|changes)_csv|csv_out\.\w+)\("
    # the bytes frozen at approval, made by exports.allocation_csv
    r"|^record\['csv_bytes'\]$"
    # the header-only templates: the layouts' own column names (checked below)
    r"|^text\.encode\('utf-8'\)$"
)


def _sources() -> list[Path]:
    return sorted(p for folder in ("pipelines", "dashboard") for p in (ROOT / folder).rglob("*.py"))


def test_no_code_writes_csv_except_through_the_guard():
    found = []
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        if name in ("pipelines/base/csv_out.py", *NOT_A_FILE_WRITTEN):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if WRITERS.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == [], "write CSV with pipelines.base.csv_out (frame_csv or rows_csv), which guards every text cell"


def test_every_csv_download_on_a_page_offers_guarded_bytes():
    """Every download button is drawn by dashboard.tables.download (the file's type from its name);
    each one whose file is not an XLSX or a PDF offers bytes made by a guarded writer."""
    offered, direct = [], []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "download_button" and path.name != "tables.py":
                direct.append(path.name)
            if node.func.attr != "download" or ast.unparse(node.func.value) != "tables":
                continue
            data, file_name = node.args[2], ast.unparse(node.args[3])
            if "xlsx" not in file_name and "pdf" not in file_name:
                offered.append((path.name, ast.unparse(data)))
    assert direct == []
    assert len(offered) >= 6  # allocation, gaps, audit log, templates, a decision, a plan and its roster
    assert [o for o in offered if not GUARDED_DOWNLOADS.search(o[1])] == []


def test_the_templates_header_names_start_no_formula():
    from pipelines.ingest.templates import template_files

    assert not any(_starts_a_formula(c) for text in template_files().values() for c in text.strip().split(","))


def test_the_old_name_for_the_guard_is_gone():
    """One home: exports no longer has a guard of its own."""
    assert not hasattr(exports, "safe_text") and not hasattr(exports, "FORMULA_STARTS")
