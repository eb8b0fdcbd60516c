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


def workbook(path: Path, sheets: dict[str, list[list]], merge: str | None = None) -> None:
    book = xlsxwriter.Workbook(path)
    book.set_properties({"created": __import__("datetime").datetime(2025, 1, 1)})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
        if merge:
            sheet.merge_range(merge, rows[1][0])
    book.close()


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


if __name__ == "__main__":
    main()
