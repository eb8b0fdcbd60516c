"""Workbooks that mislead beyond one bad cell: zip containers that lie about their sizes, sheets,
rows and columns the data officer cannot see, formulas, numbers a reader would round, and XML
that is not what Excel writes. The corpus cases are in tests/test_bad_files.py; these need a
workbook built for the test, a setting changed, or more than one thing checked."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from conftest import BAD
from test_bad_files import _assert_refused

from pipelines.base import config
from pipelines.ingest.load import Upload, load
from pipelines.ingest.readers import read_table

HEADER = ["urn", "census_date", "nc_year", "headcount"]
SHEET = "xl/worksheets/sheet1.xml"
PROJECT = Path(__file__).parents[1]


def _book(sheets: dict[str, list[list]], hidden: dict[str, str] | None = None, setup=None) -> bytes:
    """A workbook of the given sheets; ``hidden`` maps a sheet to "hidden" or "very_hidden";
    ``setup(sheet)`` may format the first sheet before its rows are written."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    for index, (name, rows) in enumerate(sheets.items()):
        sheet = book.add_worksheet(name)
        if setup and index == 0:
            setup(sheet)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is not None:
                    sheet.write(r, c, cell)
        if (hidden or {}).get(name) == "hidden":
            sheet.hide()
        elif (hidden or {}).get(name) == "very_hidden":
            sheet.very_hidden()
    book.close()
    return buffer.getvalue()


def _rewrite(data: bytes, part: str, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, body in parts:
            archive.writestr(info, change(body) if info.filename == part else body)
    return buffer.getvalue()


def _census(*rows: list) -> bytes:
    return _book({"census": [HEADER, *rows]})


def _headcounts(store: Path) -> list[tuple[int, int]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(
            "SELECT urn, headcount FROM census_rolls WHERE census_date = '2025-01-16' AND nc_year = 10 AND urn IN (100001, 100002) ORDER BY urn"
        ).fetchall()


# --- zip bombs and damaged containers ---------------------------------------------------


def _lying_bomb(inflated_mb: int, true_checksum: bool = False) -> bytes:
    """A good census workbook whose sheet part inflates to ``inflated_mb`` MB of blank space,
    while every zip header gives the part's original size and (unless ``true_checksum``)
    checksum, as a bomb's would.

    The deflate stream repeats one fully flushed block of a megabyte of spaces, so a large bomb
    costs nothing to make."""
    with zipfile.ZipFile(io.BytesIO(_census([100001, "2025-01-16", 10, 5]))) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    head, tail = parts[SHEET].split(b"<sheetData>")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head + b"<sheetData>") + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b" " * 1_000_000) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    checksum = zlib.crc32(head + b"<sheetData>")
    for _ in range(inflated_mb):
        checksum = zlib.crc32(b" " * 1_000_000, checksum)
    checksum = zlib.crc32(tail, checksum)
    out = io.BytesIO()
    directory = []
    for name, body in parts.items():
        compressed = start + block * inflated_mb + end if name == SHEET else zlib.compress(body, 9)[2:-4]
        crc = checksum if name == SHEET and true_checksum else zlib.crc32(body)
        fields = (crc, len(compressed), len(body), len(name.encode()))
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x5A21, *fields, 0) + name.encode() + compressed)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x5A21, *fields, 0, 0, 0, 0, 0, offset))
        directory[-1] += name.encode()
    listing = b"".join(directory)
    end_record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), len(listing), out.tell(), 0)
    return out.getvalue() + listing + end_record


def test_the_bomb_maker_makes_what_it_says():
    """The test's bomb is a bomb: the sheet part really inflates to the size asked, far beyond
    what its header claims."""
    bomb = _lying_bomb(3)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        info = archive.getinfo(SHEET)
        raw = bomb[info.header_offset + 30 + len(SHEET) :][: info.compress_size]
    assert info.file_size < 2_000
    assert len(zlib.decompressobj(-15).decompress(raw)) > 3_000_000
    assert len(bomb) < 20_000


def test_a_zip_bomb_whose_headers_understate_its_size_is_refused(store, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_XLSX_UNCOMPRESSED_MB", 2)
    path = tmp_path / "census_bomb.xlsx"
    path.write_bytes(_lying_bomb(5))
    _assert_refused(store, Upload.from_path("census", path), None, None, "a workbook that unpacks to at most 2 MB")


def test_a_zip_bomb_message_says_the_headers_understate_it(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_XLSX_UNCOMPRESSED_MB", 2)
    (problem,) = read_table("census.xlsx", _lying_bomb(5), sheet_hint="census").problems
    assert "(this one unpacks to more, though its zip headers claim 13 KB)" in problem.expected


def test_within_the_budget_real_bytes_count_not_the_headers(store, tmp_path, monkeypatch):
    """Inflating to less than the limit, a workbook whose headers understate a part's size is a
    workbook with blank space in it: it loads, from the bytes that were counted."""
    monkeypatch.setattr(config, "MAX_XLSX_UNCOMPRESSED_MB", 8)
    path = tmp_path / "census_roomy.xlsx"
    path.write_bytes(_lying_bomb(5, true_checksum=True))
    load(Upload.from_path("census", path), store)
    assert _headcounts(store)[0] == (100001, 5)


def test_within_the_budget_a_part_that_fails_its_checksum_is_damaged(store, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_XLSX_UNCOMPRESSED_MB", 8)
    path = tmp_path / "census_roomy.xlsx"
    path.write_bytes(_lying_bomb(5))
    _assert_refused(store, Upload.from_path("census", path), None, None, f"the part {SHEET} is damaged")


def test_refusing_a_zip_bomb_keeps_memory_bounded(tmp_path):
    """The real limit (500 MB) and a bomb of 1 GB, read in a fresh process whose peak memory is
    measured: inflating the part whole, as before, cost more than the bomb's size."""
    path = tmp_path / "census_bomb.xlsx"
    path.write_bytes(_lying_bomb(1000))
    script = (
        "import resource, sys\n"
        "import pipelines.ingest.xlsx_reader\n"
        "from pipelines.ingest.readers import read_table\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "table = read_table('census.xlsx', data, sheet_hint='census')\n"
        "grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024\n"
        "print(f'{grown_mb:.0f}'); print(table.problems[0].expected)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=PROJECT, capture_output=True, text=True, timeout=300, check=True
    )
    grown_mb, expected = done.stdout.splitlines()
    assert expected.startswith(f"a workbook that unpacks to at most {config.MAX_XLSX_UNCOMPRESSED_MB} MB")
    assert int(grown_mb) < 100, f"reading the bomb took {grown_mb} MB more memory"


def test_a_part_listed_twice_is_refused(store, tmp_path):
    data = _census([100001, "2025-01-16", 10, 5])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read(SHEET)
    buffer = io.BytesIO(data)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(SHEET, sheet.replace(b"<v>5</v>", b"<v>500</v>"))
    path = tmp_path / "census_twice.xlsx"
    path.write_bytes(buffer.getvalue())
    _assert_refused(store, Upload.from_path("census", path), None, None, f"the part {SHEET} appears twice")


def test_a_workbook_whose_parts_need_a_password_is_refused(store, tmp_path):
    data = bytearray(_census([100001, "2025-01-16", 10, 5]))
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        data[entry + 8] |= 0x1  # the "encrypted" flag of each part in the central directory
        entry = data.find(b"PK\x01\x02", entry + 4)
    path = tmp_path / "census_locked.xlsx"
    path.write_bytes(bytes(data))
    _assert_refused(store, Upload.from_path("census", path), None, None, "a workbook without a password")


def test_a_truncated_workbook_is_a_file_error(store, tmp_path):
    data = (BAD / "census_negative.xlsx").read_bytes()
    path = tmp_path / "census_cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    _assert_refused(store, Upload.from_path("census", path), None, None, "a readable XLSX workbook")


# --- hidden sheets, rows and columns ------------------------------------------------------


def test_a_hidden_sheet_named_for_the_kind_is_not_read_and_the_report_says_so(store, tmp_path):
    data = _book(
        {
            "Sheet1": [HEADER, [100001, "2025-01-16", 10, 11], [100002, "2025-01-16", 10, 12]],
            "census": [HEADER, [100001, "2025-01-16", 10, 777], [100002, "2025-01-16", 10, 888]],
        },
        hidden={"census": "hidden"},
    )
    result = load(Upload("census", "census.xlsx", data), store)
    assert _headcounts(store) == [(100001, 11), (100002, 12)]
    (warning,) = [w for w in result.report.warnings if w.check == "sheets"]
    assert warning.value == "census"
    assert "the sheet 'census' is hidden and was not read; the visible sheet 'Sheet1' was read instead" in warning.expected


def test_a_very_hidden_sheet_is_named_as_such(store):
    data = _book(
        {"Sheet1": [HEADER, [100001, "2025-01-16", 10, 11]], "census": [HEADER, [100001, "2025-01-16", 10, 777]]},
        hidden={"census": "very_hidden"},
    )
    result = load(Upload("census", "census.xlsx", data), store)
    assert any("is very hidden (only a macro can unhide it)" in w.expected for w in result.report.warnings)


def test_other_hidden_sheets_are_noted_and_not_read(store):
    data = _book({"census": [HEADER, [100001, "2025-01-16", 10, 11]], "Lists": [["lookup"], ["x"]]}, hidden={"Lists": "hidden"})
    result = load(Upload("census", "census.xlsx", data), store)
    assert not result.report.warnings
    notes = [p for p in result.report.problems if p.severity == "info" and p.check == "sheets"]
    assert [n.value for n in notes] == ["Lists"]


def test_several_visible_sheets_none_named_for_the_kind_are_refused_naming_the_hidden_ones(store, tmp_path):
    data = _book(
        {"Notes": [["read me"]], "Data": [HEADER], "census": [HEADER, [100001, "2025-01-16", 10, 5]]},
        hidden={"census": "hidden"},
    )
    path = tmp_path / "census_three.xlsx"
    path.write_bytes(data)
    words = "one sheet, or a sheet named 'census' (the workbook has 2: 'Notes', 'Data'; hidden, not read: 'census')"
    _assert_refused(store, Upload.from_path("census", path), None, None, words)


def test_a_workbook_whose_every_sheet_is_hidden_is_refused(store, tmp_path):
    data = _rewrite(
        _census([100001, "2025-01-16", 10, 5]),
        "xl/workbook.xml",
        lambda xml: xml.replace(b'sheetId="1"', b'sheetId="1" state="hidden"'),
    )
    path = tmp_path / "census_all_hidden.xlsx"
    path.write_bytes(data)
    _assert_refused(store, Upload.from_path("census", path), None, None, "a sheet you can see (every sheet is hidden: 'census'")


def test_hidden_rows_and_columns_are_read_with_a_warning_naming_them(store):
    def hide(sheet):
        sheet.set_row(2, None, None, {"hidden": True})
        sheet.set_column(3, 3, None, None, {"hidden": True})

    data = _book({"census": [HEADER, [100001, "2025-01-16", 10, 21], [100002, "2025-01-16", 10, 22]]}, setup=hide)
    result = load(Upload("census", "census.xlsx", data), store)
    assert _headcounts(store) == [(100001, 21), (100002, 22)]
    assert {(w.row, w.column, w.check) for w in result.report.warnings} >= {(3, None, "hidden"), (1, "headcount", "hidden")}
    assert all("was read: unhide it to check it" in w.expected for w in result.report.warnings if w.check == "hidden")


def test_a_filtered_list_s_hidden_rows_are_named_one_by_one(tmp_path):
    def filtered(sheet):
        for row in (2, 4):
            sheet.set_row(row, None, None, {"hidden": True})

    rows = [[100000 + i, "2025-01-16", 10, i] for i in range(1, 6)]
    table = read_table("census.xlsx", _book({"census": [HEADER, *rows]}, setup=filtered), sheet_hint="census")
    assert [p.row for p in table.problems if p.check == "hidden"] == [3, 5]


# --- formulas ----------------------------------------------------------------------------


def test_every_formula_cell_is_named_and_nothing_else_is_reported(store, tmp_path):
    def formulas(sheet):
        sheet.write_formula(1, 3, "=100+50", None, 999)
        sheet.write_formula(2, 3, "=D2*2", None, 300)

    data = _book({"census": [HEADER, [100001, "2025-01-16", 10], [100002, "2025-01-16", 10]]}, setup=formulas)
    table = read_table("census.xlsx", data, sheet_hint="census")
    assert table.frame is None
    assert [(p.row, p.column, p.value, p.check) for p in table.problems] == [
        (2, "headcount", "=100+50", "formula"),
        (3, "headcount", "=D2*2", "formula"),
    ]


def test_a_shared_formula_is_named_in_every_cell_it_fills(tmp_path):
    """Excel writes a formula filled down once, with the other cells pointing at it."""
    data = _census([100001, "2025-01-16", 10, 1], [100002, "2025-01-16", 10, 2])
    shared = _rewrite(
        data,
        SHEET,
        lambda xml: xml.replace(b'<c r="D2"><v>1</v>', b'<c r="D2"><f t="shared" ref="D2:D3" si="0">C2-9</f><v>1</v>').replace(
            b'<c r="D3"><v>2</v>', b'<c r="D3"><f t="shared" si="0"/><v>2</v>'
        ),
    )
    table = read_table("census.xlsx", shared, sheet_hint="census")
    assert [(p.row, p.value) for p in table.problems] == [(2, "=C2-9"), (3, "=(a formula shared with another cell)")]


def test_a_formula_in_a_column_with_no_other_value_is_named_by_its_letter():
    data = _rewrite(
        _census([100001, "2025-01-16", 10, 5]),
        SHEET,
        lambda xml: xml.replace(b"</row></sheetData>", b'<c r="F2"><f>1/0</f></c></row></sheetData>'),
    )
    (problem,) = read_table("census.xlsx", data, sheet_hint="census").problems
    assert (problem.row, problem.column, problem.value) == (2, "F", "=1/0")


# --- numbers and row numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("150", "150"),
        ("150.0", "150"),
        ("1.5E2", "150"),
        ("150.0000000001", "150.0000000001"),
        ("149.9999999999", "149.9999999999"),
        ("0.0000000001", "0.0000000001"),
        ("150.00000000000003", "150"),  # beyond Excel's fifteen digits: noise nobody typed or can see
        ("52.123456789012", "52.123456789012"),
    ],
)
def test_numbers_are_read_as_excel_shows_them(stored, read):
    data = _rewrite(
        _census([100001, "2025-01-16", 10, 7]), SHEET, lambda xml: xml.replace(b"<v>7</v>", f"<v>{stored}</v>".encode())
    )
    table = read_table("census.xlsx", data, sheet_hint="census")
    assert table.frame is not None
    assert table.frame["headcount"].to_list() == [read]


def test_a_whole_number_stored_as_150_point_0_loads(store):
    data = _rewrite(_census([100001, "2025-01-16", 10, 7]), SHEET, lambda xml: xml.replace(b"<v>7</v>", b"<v>150.0</v>"))
    load(Upload("census", "census.xlsx", data), store)
    assert _headcounts(store)[0] == (100001, 150)


def test_dates_are_left_to_the_workbook_reader(store):
    """A date is a number in the sheet too; it is not turned back into one."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("census")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, [100001])
    sheet.write_number(1, 1, 45673.00000000001, book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(1, 2, [10, 31])
    book.close()
    load(Upload("census", "census.xlsx", buffer.getvalue()), store)
    assert _headcounts(store)[0] == (100001, 31)


def test_formatted_empty_rows_keep_every_row_number_right():
    """Self-closing rows (a height, no cells) above the header and between data rows."""
    data = _rewrite(
        _book({"census": [[], [], HEADER, [100001, "2025-01-16", 10, 5], [], [100002, "2025-01-16", 10, -7]]}),
        SHEET,
        lambda xml: xml.replace(
            b'<row r="6"', b'<row r="1" ht="30" customHeight="1"/><row r="2" ht="30"/><row r="5" ht="9"/><row r="6"'
        ),
    )
    table = read_table("census.xlsx", data, sheet_hint="census")
    assert table.header_row == 3
    assert table.frame is not None
    assert table.frame.select("__row", "headcount").rows() == [(4, "5"), (6, "-7")]
    assert [(p.row, p.check) for p in table.problems] == [(5, "blank_row")]


def test_cells_without_references_are_placed_by_their_order():
    data = _rewrite(
        _census([100001, "2025-01-16", 10, 5]),
        SHEET,
        lambda xml: xml.replace(b' r="A2"', b"").replace(b' r="B2"', b"").replace(b' r="C2"', b"").replace(b' r="D2"', b""),
    )
    table = read_table("census.xlsx", data, sheet_hint="census")
    assert table.frame is not None
    assert table.frame.row(0) == (2, "100001", "2025-01-16", "10", "5")


def test_an_empty_sheet_is_refused_as_empty(store, tmp_path):
    path = tmp_path / "census_empty.xlsx"
    path.write_bytes(_book({"census": []}))
    _assert_refused(store, Upload.from_path("census", path), None, None, "at least one data row (the sheet 'census' is empty)")


def test_a_blank_header_cell_is_named_by_its_column_letter():
    """A value in column A below a header that starts in column B leaves A1's header blank."""
    data = _book({"census": [[None, *HEADER], [None, 100001, "2025-01-16", 10, 5], ["stray"]]})
    table = read_table("census.xlsx", data, sheet_hint="census")
    assert [(p.row, p.column, p.expected) for p in table.problems] == [(1, "A", "a column name in every header cell")]


# --- XML that Excel does not write -------------------------------------------------------


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", SHEET])
def test_a_doctype_in_any_part_read_is_refused(store, tmp_path, part):
    doctype = b'<!DOCTYPE x [<!ENTITY e "e">]>'
    data = _rewrite(_census([100001, "2025-01-16", 10, 5]), part, lambda xml: xml.replace(b"?>", b"?>" + doctype, 1))
    path = tmp_path / "census_doctype.xlsx"
    path.write_bytes(data)
    _assert_refused(store, Upload.from_path("census", path), None, None, f"the part {part} declares a DOCTYPE")


def test_a_sheet_that_is_not_xml_is_refused(store, tmp_path):
    data = _rewrite(_census([100001, "2025-01-16", 10, 5]), SHEET, lambda xml: xml.replace(b"</sheetData>", b"</sheetDta>"))
    path = tmp_path / "census_broken_xml.xlsx"
    path.write_bytes(data)
    _assert_refused(store, Upload.from_path("census", path), None, None, f"the part {SHEET} is not well-formed XML")
