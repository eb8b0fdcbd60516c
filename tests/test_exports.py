"""Exports finance can trust: golden files for CSV and XLSX, totals equal to the pot, settings
and data written in, and text that Excel cannot run as a formula.

Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change (then review the diff)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.base import csv_out
from pipelines.outputs import exports
from pipelines.rules.allocate import AllocationSettings, allocate, coverage_gaps, data_version, loaded_files
from pipelines.store import audit_chain, provenance

GOLDEN = Path(__file__).parent / "golden"
PRODUCED = dt.datetime(2025, 9, 1, 9, 30, 0)
SETTINGS = AllocationSettings(total=10000, as_of=dt.date(2025, 9, 1), include_pending=True)
# Where the audit log stood, fixed like the times, so the golden files stay put.
ANCHOR = audit_chain.Anchor(12, "0123456789abcdef" * 4)
# The store's dataset name, as the pages and the command line hand it to the exports.
DATASET = "Small test county 14-19 partnerships, census January 2026"


def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    return path.read_bytes()


@pytest.fixture
def allocation(con):
    return allocate(con, SETTINGS), data_version(con), loaded_files(con)


def _loaded_at_fixed(files):
    import polars as pl

    return files.with_columns(pl.lit(dt.datetime(2025, 9, 1, 9, 0, 0)).alias("loaded_at"))


@pytest.fixture
def status(con):
    """The small store's data status, its load time fixed so the golden files stay put."""
    import polars as pl

    return provenance.data_status(con).with_columns(pl.lit(dt.datetime(2025, 9, 1, 9, 0, 0)).alias("last_loaded_at"))


def test_allocation_csv_matches_the_golden_file(allocation, status):
    frame, version, _ = allocation
    data = exports.allocation_csv(frame, SETTINGS, version, data_status=status, audit_anchor=ANCHOR, dataset=DATASET)
    assert data == _golden("allocation_small.csv", data)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 2  # one row per partnership, no total row
    assert sum(Decimal(r["Amount (£)"]) for r in rows) == Decimal("10000.00")
    assert {r["Total pot (£)"] for r in rows} == {"10000.00"}
    assert {r["Data version"] for r in rows} == {version}
    assert {r["Dataset"] for r in rows} == {DATASET}  # which authority and census, on every row
    line = provenance.data_status_line(status)
    assert {r["Data status"] for r in rows} == {line}  # on every row
    assert line.startswith("register: unlabelled (9 rows); Year 10 figures: unlabelled (5 rows)")
    assert "previous 2008/9 amounts: synthetic (2 rows)" in line
    assert {r["Data last loaded"] for r in rows} == {"2025-09-01T09:00:00Z"}  # stored in UTC, read in UK time
    assert {r["Audit log"] for r in rows} == {"audit log: 12 entries, head 0123456789abcdef"}


def _cells(data: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def test_allocation_xlsx_matches_the_golden_cells(allocation, status):
    frame, version, files = allocation
    data = exports.allocation_xlsx(
        frame, SETTINGS, version, _loaded_at_fixed(files), PRODUCED, data_status=status, audit_anchor=ANCHOR, dataset=DATASET
    )
    cells = _cells(data)
    golden = json.loads(_golden("allocation_small.xlsx.json", json.dumps(cells, indent=1, default=str).encode()))
    assert json.loads(json.dumps(cells, default=str)) == golden
    sheet = cells["Allocation"]
    amount_col = sheet[0].index("Amount (£)")
    total_at = [row[0] for row in sheet].index("Total")
    assert total_at == 3 and sheet[total_at][amount_col] == "=SUM(G2:G3)"
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    assert book["Allocation"].cell(row=2, column=amount_col + 1).number_format == "£#,##0.00"
    about = {row[0]: row[1] for row in cells["About"] if row and row[0]}
    assert about["Dataset"] == DATASET
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.title == f"14-19 partnership allocation: {DATASET}"
    assert about["Total pot"] == "£10,000.00"
    assert about["Sum of amounts"] == "£10,000.00 (equals the total pot)"
    assert "largest remainder" in about["Rounding rule"]
    assert any(row[0] == "census" and row[1] == "census.csv" and len(row[2]) == 64 for row in cells["About"])
    # What the figures are, said first and in full.
    assert cells["About"][1][0] == "Read first" and "previous 2008/9 amounts (synthetic)" in cells["About"][1][1]
    assert about["Data last loaded"] == "2025-09-01T09:00:00Z"
    assert about["Audit log"] == "audit log: 12 entries, head 0123456789abcdef"
    assert about["Check the audit log against this file"] == "python -m pipelines audit --anchor 12:0123456789abcdef"
    assert about["Data status"] == provenance.data_status_line(status)
    start = [row[0] for row in cells["About"]].index("Input") + 1
    table = cells["About"][start : start + status.height]
    assert [(row[0], row[1], row[2], row[3]) for row in table] == [
        ("register", "unlabelled: no source note: as loaded from the file", 9, 9),
        ("Year 10 figures", "unlabelled: no source note: as loaded from the file", 5, 5),
        ("memberships", "unlabelled: no source note: as loaded from the file", 7, 7),
        ("accreditation", "real: a source is named and nothing marks it as a stand-in", 2, 2),
        ("health checks", "unlabelled: no source note: as loaded from the file", 3, 4),
        ("previous 2008/9 amounts", "synthetic: made up to show how the tool works; not a council or DfE figure", 2, 2),
    ]


def test_the_allocation_sheet_says_what_the_figures_are_under_its_total(allocation, status):
    """Finance may read only the first sheet: the status is there too, under the total, so the
    header row and the total stay where they were."""
    frame, version, files = allocation
    sheet = _cells(exports.allocation_xlsx(frame, SETTINGS, version, files, PRODUCED, data_status=status, audit_anchor=ANCHOR))[
        "Allocation"
    ]
    total_at = [row[0] for row in sheet].index("Total")
    assert total_at == frame.height + 1
    assert set(sheet[total_at + 1]) == {None}  # a blank row between the table and the notes
    assert sheet[total_at + 2][:3] == ["Read first", provenance.stand_in_warning(status), None]
    assert "previous 2008/9 amounts (synthetic)" in sheet[total_at + 2][1]
    assert sheet[total_at + 3][:3] == ["Data status", provenance.data_status_line(status), None]
    assert len(sheet) == total_at + 4


def test_a_decisions_workbook_says_what_its_figures_are_on_its_first_sheet(store):
    """A decision's frozen workbook is made the same way, with the status of the data it was made on."""
    from pipelines.outputs import records

    approval = records.approve(store, {"total": "10000", "pending": "1", "asof": "2025-09-01"}, title="Paid", approved_by="Chair")
    con = duckdb.connect(str(store), read_only=True)
    try:
        ((xlsx,),) = con.execute("SELECT xlsx_bytes FROM decisions WHERE decision_id = ?", [approval.decision_id]).fetchall()
        line = provenance.data_status_line(provenance.data_status(con))
    finally:
        con.close()
    sheet = _cells(xlsx)["Allocation"]
    assert [row[0] for row in sheet][-2:] == ["Read first", "Data status"] and sheet[-1][1] == line


def test_xlsx_total_row_caches_the_pot(allocation, status):
    """Viewers that do not recalculate (previews, finance systems) see the cached total."""
    frame, version, files = allocation
    data = exports.allocation_xlsx(frame, SETTINGS, version, files, PRODUCED, data_status=status, audit_anchor=ANCHOR)
    book = openpyxl.load_workbook(io.BytesIO(data))
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>SUM(G2:G3)</f><v>10000.0</v>" in sheet_xml
    assert book.sheetnames == ["Allocation", "About"]


def test_the_workbook_opens_cleanly_in_libreoffice(allocation, status, tmp_path):
    """openpyxl is forgiving; a spreadsheet program that finance might use is the real check
    (the README's test command installs LibreOffice, as CI does)."""
    assert shutil.which("soffice"), "install LibreOffice: apt-get install libreoffice-calc-nogui"
    frame, version, files = allocation
    (tmp_path / "allocation.xlsx").write_bytes(
        exports.allocation_xlsx(frame, SETTINGS, version, files, PRODUCED, data_status=status, audit_anchor=ANCHOR)
    )
    # Filter options: comma, double quote, UTF-8, from line 1, ..., sheet 2 (About).
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            options,
            "--outdir",
            str(tmp_path),
            str(tmp_path / "allocation.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    about = list(csv.reader(io.StringIO((tmp_path / "allocation-About.csv").read_text(encoding="utf-8"))))
    assert about[1][0] == "Read first"
    assert ["Input", "Status", "Rows with this status", "All rows", "Every status", "Example source note"] in about
    assert any(row[0] == "previous 2008/9 amounts" and row[2] == "2" for row in about)
    # The Allocation sheet as LibreOffice computes it: money are numbers and the total row, a live
    # SUM, equals the pot.
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            options,
            "--outdir",
            str(tmp_path),
            str(tmp_path / "allocation.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    sheet = list(csv.reader(io.StringIO((tmp_path / "allocation-Allocation.csv").read_text(encoding="utf-8"))))
    amount = sheet[0].index("Amount (£)")
    total_row = next(row for row in sheet if row[0].lower().startswith("total"))
    assert Decimal(total_row[amount].replace(",", "").replace("£", "")) == SETTINGS.total
    # Under the total, the status: read by LibreOffice as text, the table above it unchanged.
    assert [row[0] for row in sheet][-2:] == ["Read first", "Data status"]
    assert sheet[-1][1] == provenance.data_status_line(status)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_excel_would_run_is_made_inert(text):
    assert csv_out.guard(text) == "'" + text


@pytest.mark.parametrize("text", ["St Mary's", "Ormiston Ventures Academy — Gorleston", 'A, B "and" C\nnext line'])
def test_ordinary_text_is_untouched(text):
    assert csv_out.guard(text) == text


def test_names_survive_a_round_trip_through_csv_and_xlsx(store, tmp_path):
    from pipelines.ingest.load import Upload, load

    tricky = {
        "P1": 'St Mary\'s, "the" North — Gorleston\nsecond line',
        "P2": "=cmd|' /C calc'!A0",
    }
    roster = tmp_path / "roster.csv"
    lines = ["partnership_code,partnership_name,member_id,role,joined"]
    for code, members in (("P1", (100001, 100003, 10000001)), ("P2", (100002, 100004, 10000001))):
        quoted = '"' + tricky[code].replace('"', '""') + '"'
        lines += [f"{code},{quoted},{m},full,2009-09-01" for m in members]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load(Upload.from_path("roster", roster), store)
    con = duckdb.connect(str(store), read_only=True)
    frame, version, files, status = allocate(con, SETTINGS), data_version(con), loaded_files(con), provenance.data_status(con)
    con.close()
    rows = list(
        csv.DictReader(
            io.StringIO(
                exports.allocation_csv(frame, SETTINGS, version, data_status=status, audit_anchor=ANCHOR).decode("utf-8-sig")
            )
        )
    )
    assert rows[0]["Partnership"] == tricky["P1"]
    assert rows[1]["Partnership"] == "'" + tricky["P2"]
    cells = _cells(exports.allocation_xlsx(frame, SETTINGS, version, files, PRODUCED, data_status=status, audit_anchor=ANCHOR))[
        "Allocation"
    ]
    assert cells[1][1] == tricky["P1"] and cells[2][1] == tricky["P2"]  # string cells, never formulas


def test_gaps_csv_and_xlsx(con):
    frame = coverage_gaps(con, as_of=dt.date(2025, 9, 1))
    data = exports.gaps_csv(frame, DATASET)
    assert data == _golden("gaps_small.csv", data)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["Dataset"] for r in rows} == {DATASET}
    assert [r["Code"] for r in rows] == ["school_uncovered", "not_accredited", "review_due", "wbl_not_full_member"]
    cells = _cells(exports.gaps_xlsx(frame, PRODUCED))["Gaps"]
    assert len(cells) == 1 + len(rows) and cells[0][0] == "Code"


def test_file_names_carry_the_total_and_census_date():
    name = exports.allocation_filename(AllocationSettings(total="500000.50", unit="0.01"), dt.date(2018, 1, 18), "xlsx")
    assert name == "allocation_total-500000.50_census-2018-01-18.xlsx"
    assert exports.allocation_filename(AllocationSettings(total=500000), dt.date(2018, 1, 18), "csv") == (
        "allocation_total-500000_census-2018-01-18.csv"
    )
