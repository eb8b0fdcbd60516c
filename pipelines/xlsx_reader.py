"""Read an XLSX workbook into a table of text cells, with each row's spreadsheet row number.

Kept apart from the CSV reader because a workbook brings its own ways to mislead: sheets,
merged cells, blank rows above the header, and a zip container."""

from __future__ import annotations

import io
import re
import zipfile

import fastexcel
import polars as pl

from pipelines import config
from pipelines.problems import Problem
from pipelines.readers import ROW, RawTable, drop_blank_rows, header_problems, refuse


def read_xlsx(name: str, data: bytes, sheet_hint: str | None) -> RawTable:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        return refuse(name, "a readable XLSX workbook (the zip container is damaged)", "format")
    unpacked_mb = sum(e.file_size for e in entries) / 1_000_000
    if unpacked_mb > config.MAX_XLSX_UNCOMPRESSED_MB:
        return refuse(
            name,
            f"a workbook that unpacks to at most {config.MAX_XLSX_UNCOMPRESSED_MB} MB (this one unpacks to {unpacked_mb:.0f} MB)",
            "size",
        )
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        return refuse(name, "an XLSX workbook (this is a zip file of something else)", "format")
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean the same to the user
        return refuse(name, f"a readable XLSX workbook ({exc.__class__.__name__})", "format")
    sheets = list(reader.sheet_names)
    if len(sheets) == 1:
        chosen = 0
    elif sheet_hint and sheet_hint in sheets:
        chosen = sheets.index(sheet_hint)
    else:
        listed = ", ".join(repr(s) for s in sheets)
        return refuse(name, f"one sheet, or a sheet named {sheet_hint!r} (the workbook has {len(sheets)}: {listed})", "sheets")
    sheet_xml = _sheet_xml(archive, sheets[chosen])
    merged = _merged_ranges(sheet_xml)
    if merged:
        return refuse(name, f"no merged cells (unmerge {', '.join(merged[:5])} and put a value in every cell)", "merged")
    sheet = reader.load_sheet(chosen, header_row=0, dtypes="string")
    frame = sheet.to_polars()
    header_row = _first_filled_row(sheet_xml)
    problems = header_problems(name, [str(c) for c in frame.columns], header_row)
    problems.extend(
        Problem(name, header_row, str(c), str(c), "a column name in every header cell", "error", "header")
        for c in frame.columns
        if re.fullmatch(r"__UNNAMED__\d+", str(c))
    )
    if any(p.severity == "error" for p in problems):
        return RawTable(None, "xlsx", "", problems, header_row)
    frame = frame.rename({c: str(c).strip() for c in frame.columns})
    frame = frame.with_row_index(ROW, offset=header_row + 1)
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns if c != ROW)
    return RawTable(drop_blank_rows(name, frame, problems), "xlsx", "", problems, header_row)


def _sheet_xml(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """The XML of the named sheet, found through the workbook's relationships (sheet order and
    part names need not match: sheet2.xml may well be the first tab)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    rels = (
        archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
        if ("xl/_rels/workbook.xml.rels" in archive.namelist())
        else ""
    )
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\b\w+:id="([^"]*)"', tag)
        if not name or not rid or _xml_unescape(name.group(1)) != sheet_name:
            continue
        for rel in re.findall(r"<Relationship\b[^>]*>", rels):
            if re.search(rf'\bId="{re.escape(rid.group(1))}"', rel):
                found = re.search(r'\bTarget="([^"]*)"', rel)
                if not found:  # a relationship without a target names no part
                    continue
                target = found.group(1)
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if member in archive.namelist():
                    return archive.read(member).decode("utf-8", errors="replace")
    return ""


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _merged_ranges(sheet_xml: str) -> list[str]:
    return re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', sheet_xml)


def _first_filled_row(sheet_xml: str) -> int:
    """The spreadsheet row of the first cell with a value. The workbook reader skips blank
    rows above the header, so row numbers in messages must be shifted by this."""
    for match in re.finditer(r'<row\b[^>]*\br="(\d+)"[^>]*>(.*?)</row>', sheet_xml, flags=re.S):
        if re.search(r"<(?:\w+:)?(?:v|is)\b", match.group(2)):
            return int(match.group(1))
    return 1
