"""Make the binary members of the bad-file corpus (tests/data/bad/*.xlsx, *.xls and the
non-text CSVs). Synthetic content. Run from the project root: python tests/data/make_bad_binaries.py"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import xlsxwriter

BAD = Path(__file__).parent / "bad"
HEADER = ["urn", "census_date", "nc_year", "headcount"]


def workbook(
    path: Path,
    sheets: dict[str, list[list]],
    merge: str | None = None,
    hidden: tuple[str, ...] = (),
    tall_rows: tuple[int, ...] = (),
) -> None:
    """A workbook as Excel would save it. Rows whose cells are a string starting with "=" hold a
    formula, with the value after "|" as its stored result ("=100+50|999"). ``tall_rows`` are
    given a height and no cells, which Excel writes as self-closing rows."""
    book = xlsxwriter.Workbook(path)
    book.set_properties({"created": __import__("datetime").datetime(2025, 1, 1)})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r in tall_rows:
            sheet.set_row(r, 30)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and cell.startswith("="):
                    formula, _, result = cell.partition("|")
                    sheet.write_formula(r, c, formula, None, int(result))
                elif cell is not None:
                    sheet.write(r, c, cell)
        if merge:
            sheet.merge_range(merge, rows[1][0])
        if name in hidden:
            sheet.hide()
    book.close()


def rewrite_part(path: Path, part: str, change) -> None:
    """Change one part of a workbook, keeping every other byte of the container's layout."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, body in parts:
            archive.writestr(info, change(body) if info.filename == part else body)
    path.write_bytes(buffer.getvalue())


def damage_part(path: Path, part: str) -> None:
    """Make a part's compressed stream start with a block type deflate reserves, as a bad sector or
    an interrupted copy might: zlib stops with "invalid block type"."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_length + extra_length] = 0x07
    path.write_bytes(bytes(data))


LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10))
    + b"]>\n"
)


def zip_bomb(path: Path) -> None:
    """A tiny zip whose directory claims a 4 GB workbook part: the reader must refuse it from
    the directory alone, before inflating anything."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in (("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")):
            archive.writestr(zipfile.ZipInfo(part, date_time=(2025, 1, 1, 0, 0, 0)), text)
    data = bytearray(buffer.getvalue())
    central = data.find(b"PK\x01\x02")
    while central != -1:
        struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)  # uncompressed size
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def main() -> None:
    workbook(BAD / "census_several_sheets.xlsx", {"Notes": [["read me"]], "Data": [HEADER, [100001, "2025-01-16", 10, 5]]})
    workbook(
        BAD / "census_merged_cells.xlsx",
        {"census": [HEADER, [100001, "2025-01-16", 10, 5], [None, "2025-01-16", 11, 6]]},
        merge="A2:A3",
    )
    workbook(BAD / "census_negative.xlsx", {"census": [HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, -7]]})
    workbook(
        BAD / "register_unknown_kind.xlsx",
        {"register": [["urn", "name", "kind", "status"], [200001, "New High", "academy", "open"]]},
    )
    (BAD / "register_really_csv.xlsx").write_text("urn,name,kind,status\n200001,New High,high_school,open\n")
    (BAD / "census_legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    zip_bomb(BAD / "census_zip_bomb.xlsx")
    (BAD / "census_empty.csv").write_bytes(b"")
    (BAD / "census_header_only.csv").write_text("urn,census_date,nc_year,headcount\n")
    (BAD / "census_binary.csv").write_bytes(b"urn,census_date\x00\x01\x02\xff\xfe" + bytes(range(256)))
    (BAD / "census_duplicate_header.csv").write_text("urn,census_date,nc_year,headcount,URN\n100001,2025-01-16,10,5,100001\n")
    (BAD / "census_bom_then_bad_bytes.csv").write_bytes(
        b"\xef\xbb\xbfurn,census_date,nc_year,headcount\n100001,2025-01-16,10,\xff\xfe\n"
    )
    (BAD / "census_blank_header_cell.csv").write_text("urn,,nc_year,headcount\n100001,2025-01-16,10,5\n")
    workbook(
        BAD / "census_header_below_blank_rows.xlsx",
        {"census": [[], [], HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, -7]]},
    )
    (BAD / "register_mixed_encoding.csv").write_bytes(
        "urn,name,kind,status\n200001,Café High,high_school,open\n".encode()
        + "200002,Café Academy,high_school,open\n".encode("cp1252")
    )
    # A visible sheet and a hidden one named for the kind: what the officer sees is what is read.
    workbook(
        BAD / "census_hidden_sheet.xlsx",
        {
            "Sheet1": [HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, -7]],
            "census": [HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, 7]],
        },
        hidden=("census",),
    )
    workbook(
        BAD / "census_formula_stale_result.xlsx",
        {"census": [HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, "=100+50|999"]]},
    )
    workbook(
        BAD / "census_formula_no_result.xlsx",
        {"census": [HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, "=100+50|0"]]},
    )
    rewrite_part(
        BAD / "census_formula_no_result.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<f>100+50</f><v>0</v>", b"<f>100+50</f>"),
    )
    workbook(
        BAD / "census_tall_rows_above_header.xlsx",
        {"census": [[], [], HEADER, [100001, "2025-01-16", 10, 5], [100002, "2025-01-16", 10, -7]]},
        tall_rows=(0, 1),
    )
    workbook(
        BAD / "census_float_noise.xlsx",
        {"census": [HEADER, [100001, "2025-01-16", 10, 150.0000000001], [100002, "2025-01-16", 10, 149.9999999999]]},
    )
    workbook(BAD / "census_damaged_part.xlsx", {"census": [HEADER, [100001, "2025-01-16", 10, 5]]})
    damage_part(BAD / "census_damaged_part.xlsx", "xl/worksheets/sheet1.xml")
    workbook(BAD / "census_entity_expansion.xlsx", {"census": [HEADER, [100001, "2025-01-16", 10, "x"]]})
    rewrite_part(
        BAD / "census_entity_expansion.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: LAUGHS + xml.split(b"?>", 1)[1].lstrip().replace(b"<v>10</v>", b"<v>&lol9;</v>"),
    )


if __name__ == "__main__":
    main()
