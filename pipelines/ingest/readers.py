"""Turn a CSV or XLSX file into a table of text cells, with each row's spreadsheet row number.

Everything is read as text: types are decided by validation, which can then say exactly
which cell was wrong instead of letting a parser guess or silently drop it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from pipelines.base import config
from pipelines.ingest.problems import Problem
from pipelines.ingest.raw_table import ROW, RawTable, drop_blank_rows, header_problems, refuse, trim_invisible_cells

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


ColumnFilter = Callable[[list[str]], list[str] | None]


def read_table(name: str, data: bytes, *, sheet_hint: str | None = None, columns: ColumnFilter | None = None) -> RawTable:
    """Read ``data`` (the bytes of file ``name``) whatever its format, judged by content
    rather than by extension, because files are renamed and mis-saved in the wild.

    ``columns`` may name, given the header, the only columns worth reading (a GIAS download
    has 130 columns of which we need 12); None reads them all."""
    size_mb = len(data) / 1_000_000
    if size_mb > config.MAX_FILE_MB:
        return refuse(name, f"a file of at most {config.MAX_FILE_MB} MB (this one is {size_mb:.1f} MB)", "size")
    if not data[:4096].strip() and not data.strip():
        return refuse(name, "a header row and at least one data row (the file is empty)", "empty")
    suffix = Path(name).suffix.lower()
    if data.startswith(OLE_MAGIC):
        return refuse(name, "CSV or XLSX (this is an old binary .xls workbook: save it as .xlsx or CSV)", "format")
    if data.startswith(ZIP_MAGIC):
        from pipelines.ingest.xlsx_reader import read_xlsx  # fastexcel only when a workbook comes

        table = read_xlsx(name, data, sheet_hint)
        if suffix not in (".xlsx", ".xlsm") and table.frame is not None:
            table.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    suffix or "(none)",
                    "a .xlsx name for an Excel workbook; read it as XLSX",
                    "warning",
                    "format",
                )
            )
        return table
    if suffix in (".xlsx", ".xlsm"):
        return refuse(name, "an Excel workbook (the file is named .xlsx but is not one; is it a CSV?)", "format")
    return _read_csv(name, data, columns)


# --- CSV ---------------------------------------------------------------------------------

# A valid UTF-8 sequence for a non-ASCII character; Windows-1252 text almost never has one.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class MixedEncoding(ValueError):
    """Part of the file is UTF-8 and part is not (e.g. rows pasted in from another file)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# Bytes Windows-1252 leaves undefined: a file holding one is neither UTF-8 nor Windows-1252, and
# reading it as either would put a replacement mark where a letter was.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


class UndefinedByte(ValueError):
    """A byte with no character in UTF-8 or Windows-1252: the file is in some other encoding."""

    def __init__(self, line: int, byte: int) -> None:
        super().__init__(line, byte)
        self.line = line
        self.byte = byte


def _line_of(data: bytes, offset: int) -> int:
    """The text line holding byte ``offset``, whichever line ends the file uses (\\r\\n, \\n or \\r)."""
    return data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset) + 1


def _decode(name: str, data: bytes) -> tuple[str, str, list[Problem]]:
    """UTF-8 (with or without BOM) first; UTF-16 when it carries a BOM (Excel's "Unicode
    text"); otherwise Windows-1252, which is how GIAS and older Excel save CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        if _UTF8_MULTIBYTE.search(data):
            # Some lines were saved as UTF-8 and others not: either reading garbles names.
            raise MixedEncoding(line) from None
        undefined = _CP1252_UNDEFINED.search(data)
        if undefined and b"\x00" not in data:  # binary data is refused as such, after decoding
            raise UndefinedByte(_line_of(data, undefined.start()), data[undefined.start()]) from None
        text = data.decode("cp1252", errors="replace")
        note = Problem(
            name,
            line,
            None,
            None,
            "UTF-8 text; the file is not UTF-8, so it was read as Windows-1252, as GIAS and older Excel save it",
            "info",
            "encoding",
        )
        return text, "cp1252", [note]


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(name: str, data: bytes, columns: ColumnFilter | None) -> RawTable:
    try:
        text, encoding, problems = _decode(name, data)
    except UnicodeDecodeError:
        return refuse(name, "text in UTF-8 or Windows-1252 (the file has a byte-order mark but invalid UTF-8)", "encoding")
    except MixedEncoding as mixed:
        return RawTable(
            None,
            problems=[
                Problem(
                    name,
                    mixed.line,
                    None,
                    None,
                    "one text encoding throughout (this line is not UTF-8 but others are: re-save the whole file as CSV UTF-8)",
                    "error",
                    "encoding",
                )
            ],
        )
    except UndefinedByte as undefined:
        byte = f"0x{undefined.byte:02X}"
        return RawTable(
            None,
            problems=[
                Problem(
                    name,
                    undefined.line,
                    None,
                    f"byte {byte}",
                    f"text in UTF-8 or Windows-1252 (line {undefined.line} holds byte {byte}, which is a character in "
                    "neither, so the file was saved in some other encoding: re-save it as CSV UTF-8)",
                    "error",
                    "encoding",
                )
            ],
        )
    if "\x00" in text:
        return refuse(name, "a text CSV file (the file contains binary data)", "format")
    first_line = _FIRST_LINE.split(text, maxsplit=1)[0]
    delimiter = _delimiter(first_line)
    header = next(csv.reader([first_line], delimiter=delimiter))
    problems.extend(header_problems(name, header))
    if any(p.severity == "error" for p in problems):
        return RawTable(None, "csv", encoding, problems)
    names = trim_invisible_cells(header)
    text = _lone_carriage_returns_as_line_ends(text, delimiter)
    wanted = columns(names) if columns else None
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            infer_schema=False,
            has_header=True,
            new_columns=names,
            columns=wanted,
            row_index_name=ROW,
            row_index_offset=2,
        )
    except pl.exceptions.PolarsError:
        problems.extend(_ragged_rows(name, text, delimiter, len(header)))
        if not any(p.check == "shape" for p in problems):
            problems.append(
                Problem(name, None, None, None, "a well-formed CSV (it could not be parsed; check quotes)", "error", "shape")
            )
        return RawTable(None, "csv", encoding, problems)
    return RawTable(drop_blank_rows(name, frame, problems), "csv", encoding, problems)


_FIRST_LINE = re.compile(r"\r\n|\r|\n")


def _lone_carriage_returns_as_line_ends(text: str, delimiter: str) -> str:
    """A CSV saved with carriage returns alone between lines (old Mac) as one with Windows line
    ends, which polars reads.

    The csv module finds the records, taking any of \\r\\n, \\r and \\n outside quotes as a
    line end, and writes them back ending in \\r\\n, quoting every cell that holds either
    character: each cell keeps its exact text, line breaks inside quoted cells included, and
    records stay records, so row numbers are unchanged. Files without a lone carriage return
    are passed through untouched."""
    if text.count("\r") == text.count("\r\n"):  # none, or each before a line feed
        return text
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return out.getvalue()


def _ragged_rows(name: str, text: str, delimiter: str, width: int) -> list[Problem]:
    """Polars says a row is malformed but not which; the csv module finds them. Rows are
    counted as records, as a spreadsheet shows them: a quoted cell with a line break inside
    stays one row."""
    problems = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    for row, record in enumerate(reader, start=2):
        if record and len(record) > width:
            problems.append(
                Problem(
                    name,
                    row,
                    None,
                    delimiter.join(record)[:80],
                    f"{width} cells like the header (this row has {len(record)}; an unquoted comma?)",
                    "error",
                    "shape",
                )
            )
    return problems
