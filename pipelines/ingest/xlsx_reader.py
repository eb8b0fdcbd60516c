"""Read an XLSX workbook into a table of text cells, with each row's spreadsheet row number.

Kept apart from the CSV reader because a workbook brings its own ways to mislead: a zip container
whose headers can lie about sizes, sheets and rows the data officer cannot see, formulas whose
stored result may be out of date, numbers shown rounded, merged cells and blank rows above the
header.

Two readers share the work. fastexcel turns cells into text (it knows Excel's dates and shared
strings); this module reads the workbook's own XML for what fastexcel does not say: which sheets
are hidden, where the first cell is, which cells hold formulas, merged cells, hidden rows and
columns, and numbers as they are stored. That XML goes through the standard library's expat
parser, streamed, and any DOCTYPE is refused: Excel never writes one, and a DOCTYPE is where
entity-expansion attacks ("billion laughs") start.

The zip is inflated once, here, against a budget of real bytes (never the sizes its headers
claim), into a fresh archive: fastexcel only ever reads that copy, so nothing it inflates was left
unchecked, and a crafted container cannot show one reader one thing and the other another."""

from __future__ import annotations

import copy
import io
import math
import posixpath
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from xml.parsers import expat

import fastexcel
import polars as pl

from pipelines.base import config
from pipelines.ingest.problems import Problem
from pipelines.ingest.raw_table import ROW, RawTable, drop_blank_rows, header_problems, refuse

CHUNK = 1 << 20  # bytes inflated or parsed at a time: this, not the file's claims, bounds memory
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
MAX_LISTED_FORMULAS = 1000  # formula cells named one by one; any more are counted in one line
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HIDDEN_STATES = {"hidden": "hidden", "veryHidden": "very hidden (only a macro can unhide it)"}


class _Unreadable(Exception):
    """The workbook is refused as a whole: what was expected of it, and which check says so."""

    def __init__(self, expected: str, check: str = "format") -> None:
        super().__init__(expected)
        self.expected = expected
        self.check = check


def read_xlsx(name: str, data: bytes, sheet_hint: str | None) -> RawTable:
    try:
        return _read(name, data, sheet_hint)
    except _Unreadable as unreadable:
        return refuse(name, unreadable.expected, unreadable.check)


def _read(name: str, data: bytes, sheet_hint: str | None) -> RawTable:
    checked = _checked_copy(data)
    archive = zipfile.ZipFile(io.BytesIO(checked))
    sheet, problems = _choose_sheet(name, _sheets(archive), sheet_hint)
    scan = _scan(archive, sheet.part)
    if not scan.cells:
        raise _Unreadable(f"a header row and at least one data row (the sheet {sheet.name!r} is empty)", "empty")
    if scan.merged:
        raise _Unreadable(f"no merged cells (unmerge {', '.join(scan.merged[:5])} and put a value in every cell)", "merged")
    try:
        frame = fastexcel.read_excel(checked).load_sheet(sheet.name, header_row=0, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own hierarchy; all mean the same to the user
        raise _Unreadable(f"a readable XLSX workbook ({exc.__class__.__name__})") from None
    columns = [str(c) for c in frame.columns]
    if len(columns) != scan.last_col - scan.first_col + 1 or frame.height != scan.last_row - scan.first_row:
        # Every message below places a cell by what this module read; if fastexcel saw the sheet
        # differently, those places would be wrong, and a wrong row number misleads.
        raise _Unreadable(f"a readable XLSX workbook (the cells of sheet {sheet.name!r} could not be placed consistently)")
    header_row = scan.first_row
    problems.extend(header_problems(name, columns, header_row))
    problems.extend(  # fastexcel names a blank header cell __UNNAMED__n; the officer knows it by its letter
        Problem(name, header_row, _letters(scan.first_col + i), None, "a column name in every header cell", "error", "header")
        for i, c in enumerate(columns)
        if c.startswith("__UNNAMED__") and c.removeprefix("__UNNAMED__").isdigit()
    )
    problems.extend(_formula_problems(name, scan, columns))
    if any(p.severity == "error" for p in problems):
        return RawTable(None, "xlsx", "", problems, header_row)
    problems.extend(_hidden_problems(name, scan, columns))
    frame = _as_stored(frame, scan)
    frame = frame.rename({c: str(c).strip() for c in frame.columns})
    frame = frame.with_row_index(ROW, offset=header_row + 1)
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns if c != ROW)
    return RawTable(drop_blank_rows(name, frame, problems), "xlsx", "", problems, header_row)


# --- the zip container -------------------------------------------------------------------


def _checked_copy(data: bytes) -> bytes:
    """A fresh archive of the workbook's parts, inflated here against the budget.

    A zip's headers state each part's size, and a zip bomb understates them; so zipfile is told
    each part may be larger than what is left of the budget (by more than one read, so that going
    over is seen before zipfile's own end-of-part check) and inflates until the compressed stream
    itself ends, CHUNK bytes at a time. The header's CRC is still checked against what came out,
    which is how a damaged part is found."""
    limit_mb = config.MAX_XLSX_UNCOMPRESSED_MB
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _Unreadable("a readable XLSX workbook (the zip container is damaged)") from None
    claimed_mb = sum(e.file_size for e in entries) / 1_000_000
    if claimed_mb > limit_mb:
        raise _Unreadable(f"a workbook that unpacks to at most {limit_mb} MB (this one unpacks to {claimed_mb:.0f} MB)", "size")
    names = [e.filename for e in entries]
    if WORKBOOK not in names:
        raise _Unreadable("an XLSX workbook (this is a zip file of something else)")
    twice = sorted(n for n, count in Counter(names).items() if count > 1)
    if twice:
        raise _Unreadable(f"a readable XLSX workbook (the part {twice[0]} appears twice in the zip container)")
    if any(e.flag_bits & 0x1 for e in entries):
        raise _Unreadable("a workbook without a password (save a copy without one)")
    budget = limit_mb * 1_000_000
    inflated = 0
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as fresh:
        for entry in entries:
            if entry.is_dir():
                continue
            unbounded = copy.copy(entry)
            unbounded.file_size = budget - inflated + CHUNK + 1
            try:
                with archive.open(unbounded) as source, fresh.open(entry.filename, "w", force_zip64=budget > 2**31 - 1) as target:
                    while chunk := source.read(CHUNK):
                        inflated += len(chunk)
                        if inflated > budget:
                            raise _Unreadable(
                                f"a workbook that unpacks to at most {limit_mb} MB (this one unpacks to more, "
                                f"though its zip headers claim {_megabytes(claimed_mb)})",
                                "size",
                            )
                        target.write(chunk)
            except NotImplementedError:
                raise _Unreadable(
                    f"a readable XLSX workbook (the part {entry.filename} is packed in a way Excel does not use)"
                ) from None
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
                raise _Unreadable(f"a readable XLSX workbook (the part {entry.filename} is damaged)") from None
    return out.getvalue()


def _megabytes(size_mb: float) -> str:
    return f"{size_mb:.0f} MB" if size_mb >= 1 else f"{size_mb * 1000:.0f} KB"


# --- XML, parsed by expat ----------------------------------------------------------------


class _Part:
    """Handlers for the standard library's expat parser: told of each element as the part streams
    past, so no tree of a large sheet is ever built. Subclasses keep what they need."""

    wants_text = False

    def __init__(self, part: str) -> None:
        self.part = part
        self._locals: dict[str, str] = {}

    def local(self, name: str) -> str:
        """A name without its prefix ("x:c" is "c": writers choose their own), remembered: a sheet
        repeats a handful of names millions of times."""
        found = self._locals.get(name)
        if found is None:
            found = self._locals[name] = name.rpartition(":")[2]
        return found

    def doctype(self, name: str, system: str | None, public: str | None, internal_subset: bool) -> None:
        raise _Unreadable(f"a readable XLSX workbook (the part {self.part} declares a DOCTYPE, which Excel never writes)")

    def start(self, name: str, attrib: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass


def _parse(archive: zipfile.ZipFile, part: str, target: _Part) -> None:
    if part not in archive.namelist():
        raise _Unreadable(f"a readable XLSX workbook (the part {part} is missing)")
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = target.doctype
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
    if target.wants_text:
        parser.CharacterDataHandler = target.data
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Unreadable(f"a readable XLSX workbook (the part {part} is not well-formed XML: {exc})") from None


@dataclass(frozen=True)
class _Sheet:
    name: str
    state: str  # visible | hidden | veryHidden, as the workbook says
    part: str  # the zip member holding its cells
    is_worksheet: bool  # not a chart sheet or a macro sheet


class _Workbook(_Part):
    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.sheets: list[tuple[str, str, str]] = []  # name, state, relationship id

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.local(tag) == "sheet":
            rid = next((v for k, v in attrib.items() if ":" in k and self.local(k) == "id"), "")
            self.sheets.append((attrib.get("name", ""), attrib.get("state", "visible"), rid))


class _Relationships(_Part):
    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.targets: dict[str, tuple[str, str]] = {}  # id -> (member, type)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.local(tag) == "Relationship" and attrib.get("TargetMode") != "External":
            target = attrib.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            self.targets[attrib.get("Id", "")] = (member, attrib.get("Type", ""))


def _sheets(archive: zipfile.ZipFile) -> list[_Sheet]:
    """The workbook's sheets in tab order, each found through the relationships (sheet order and
    part names need not match: sheet2.xml may well be the first tab)."""
    workbook = _Workbook(WORKBOOK)
    _parse(archive, WORKBOOK, workbook)
    relationships = _Relationships(WORKBOOK_RELS)
    if WORKBOOK_RELS in archive.namelist():
        _parse(archive, WORKBOOK_RELS, relationships)
    sheets = []
    for name, state, rid in workbook.sheets:
        member, kind = relationships.targets.get(rid, ("", ""))
        sheets.append(_Sheet(name, state, member, kind.endswith("/worksheet")))
    return sheets


def _choose_sheet(name: str, sheets: list[_Sheet], hint: str | None) -> tuple[_Sheet, list[Problem]]:
    """The sheet to read: among those the data officer can see, the only one or the one named for
    the kind of file. A hidden sheet is never read, even when it bears the kind's name: what is
    loaded must be what the officer looked at; the report says what was left unread."""
    worksheets = [s for s in sheets if s.is_worksheet]
    visible = [s for s in worksheets if s.state == "visible"]
    hidden = [s for s in worksheets if s.state != "visible"]
    hidden_listed = ", ".join(repr(s.name) for s in hidden)
    if not worksheets:
        raise _Unreadable("a workbook with a sheet of cells (this one has none)", "sheets")
    if not visible:
        raise _Unreadable(f"a sheet you can see (every sheet is hidden: {hidden_listed}; unhide the one to load)", "sheets")
    named = [s for s in visible if hint and s.name == hint]
    if len(visible) == 1 or named:
        chosen = named[0] if named else visible[0]
    else:
        listed = ", ".join(repr(s.name) for s in visible)
        unread = f"; hidden, not read: {hidden_listed}" if hidden else ""
        raise _Unreadable(f"one sheet, or a sheet named {hint!r} (the workbook has {len(visible)}: {listed}{unread})", "sheets")
    problems = []
    for sheet in hidden:
        state = HIDDEN_STATES.get(sheet.state, "hidden")
        if hint and sheet.name == hint:
            expected = (
                f"the figures in a sheet you can see (the sheet {sheet.name!r} is {state} and was not read; "
                f"the visible sheet {chosen.name!r} was read instead)"
            )
            problems.append(Problem(name, None, None, sheet.name, expected, "warning", "sheets"))
        else:
            expected = f"the figures in a sheet you can see (the sheet {sheet.name!r} is {state} and was not read)"
            problems.append(Problem(name, None, None, sheet.name, expected, "info", "sheets"))
    return chosen, problems


class _Scan(_Part):
    """What the chosen sheet's XML says beyond its values. Rows and columns count from 1, as
    Excel shows them; "filled" means a cell with a value, which is what fastexcel reads.

    Called for every element of what may be a sheet of a million cells, so it does as little as
    it can per cell: the common elements are tested first and column letters are remembered."""

    wants_text = True

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.cells = 0  # filled cells
        self.first_row = self.last_row = self.first_col = self.last_col = 0
        self.merged: list[str] = []
        self.formulas: list[tuple[int, int, str]] = []  # row, column, formula
        self.formula_count = 0
        self.numbers: list[tuple[int, int, str, str]] = []  # row, column, fastexcel's text, Excel's
        self.hidden_rows: list[int] = []  # hidden rows with a value in them
        self.hidden_cols: list[tuple[int, int]] = []  # first and last column of each hidden span
        self._columns: dict[str, int] = {}  # column letters seen, and their numbers
        # where the parser is
        self._in_data = self._in_cell = False
        self._row = self._col = 0
        self._row_hidden = self._row_filled = False
        self._type: str | None = None
        self._text: str | None = None  # the text of the <v> or <f> being read
        self._value: str | None = None  # the cell's <v>, when it has one
        self._formula: str | None = None
        self._inline = False

    def start(self, name: str, attrib: dict[str, str]) -> None:
        local = self._locals.get(name) or self.local(name)
        if self._in_cell:
            if local == "v" or local == "f":
                self._text = ""
            elif local == "is":
                self._inline = True
        elif local == "c":
            if not self._in_data:
                return
            ref = attrib.get("r")
            if ref:
                digits = ref.lstrip(_LETTERS)
                col = self._columns.get(ref[: len(ref) - len(digits)]) or self._column(ref, digits)
                self._row, self._col = _number(digits, self.part), col
            else:
                self._col += 1
            self._in_cell = True
            self._type = attrib.get("t")
            self._value = self._formula = None
            self._inline = False
        elif local == "row":
            if not self._in_data:
                return
            ref = attrib.get("r")
            self._row = _number(ref, self.part) if ref else self._row + 1
            self._col = 0
            self._row_hidden = attrib.get("hidden") in ("1", "true")
            self._row_filled = False
        elif local == "sheetData":
            self._in_data = True
        elif local == "mergeCell":
            self.merged.append(attrib.get("ref", "?"))
        elif local == "col" and attrib.get("hidden") in ("1", "true"):
            self.hidden_cols.append((_number(attrib.get("min", ""), self.part), _number(attrib.get("max", ""), self.part)))

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text += text

    def end(self, name: str) -> None:
        if self._in_cell:
            local = self._locals.get(name) or self.local(name)
            if local == "c":
                self._in_cell = False
                self._end_cell()
            elif self._text is not None and (local == "v" or local == "f"):
                text = self._text
                self._text = None
                if local == "v":
                    self._value = text
                else:
                    self._formula = text
        elif self._in_data:
            local = self.local(name)
            if local == "row":
                if self._row_hidden and self._row_filled:
                    self.hidden_rows.append(self._row)
            elif local == "sheetData":
                self._in_data = False

    def _end_cell(self) -> None:
        row, col = self._row, self._col
        if self._formula is not None:
            self.formula_count += 1
            if len(self.formulas) < MAX_LISTED_FORMULAS:
                self.formulas.append((row, col, self._formula))
        kind, value = self._type, self._value
        # Whether fastexcel reads a value here: an inline string; a <v> with text, unless the
        # cell says it is an inline string; a <v> even without text where the cell's type says
        # text or date (its reader keeps an empty text there).
        if not self._inline:
            if value is None or kind == "inlineStr":
                return
            if not value and kind != "str" and kind != "d":
                return
        self._row_filled = True
        if self.cells:
            if row > self.last_row:
                self.last_row = row
            elif row < self.first_row:
                self.first_row = row
            if col > self.last_col:
                self.last_col = col
            elif col < self.first_col:
                self.first_col = col
        else:
            self.first_row = self.last_row = row
            self.first_col = self.last_col = col
        self.cells += 1
        if value and (kind is None or kind == "n"):
            shown = _as_excel_shows(value)
            if shown:
                self.numbers.append((row, col, *shown))

    def _column(self, ref: str, digits: str) -> int:
        """The column number of a cell reference such as "D5" (4), the first time its letters are seen."""
        letters = ref[: len(ref) - len(digits)]
        if not letters or len(letters) > 3:
            raise _Unreadable(f"a readable XLSX workbook (the part {self.part} places a cell at {ref!r})")
        col = 0
        for letter in letters.upper():
            col = col * 26 + ord(letter) - ord("A") + 1
        self._columns[letters] = col
        return col


def _scan(archive: zipfile.ZipFile, part: str) -> _Scan:
    scan = _Scan(part)
    _parse(archive, part, scan)
    return scan


def _number(text: str, part: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Unreadable(f"a readable XLSX workbook (the part {part} places a cell at {text!r})") from None


def _letters(col: int) -> str:
    """Excel's name for a column number: 1 is A, 27 is AA."""
    name = ""
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


# --- what the XML says about the cells ---------------------------------------------------


def _as_excel_shows(stored: str) -> tuple[str, str] | None:
    """For a stored number that fastexcel's text would misstate, that text and the number as
    Excel shows it (fifteen significant digits); None when they agree.

    fastexcel writes a number with at most nine decimal places, so 150.0000000001 reads as "150",
    a whole number, without a word. Excel itself shows fifteen significant digits, so anything
    finer is binary noise nobody typed, while a difference within them is real."""
    if "." not in stored and "E" not in stored and "e" not in stored:
        return None  # a whole number, written as one
    try:
        number = float(stored)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    shown = Decimal(format(number, ".15g"))
    fastexcel_text = f"{number:.9f}".rstrip("0").rstrip(".")
    if Decimal(fastexcel_text) == shown:
        return None
    return fastexcel_text, format(shown, "f")


def _column_name(col: int, scan: _Scan, columns: list[str]) -> str:
    index = col - scan.first_col
    return columns[index] if 0 <= index < len(columns) else _letters(col)


def _formula_problems(name: str, scan: _Scan, columns: list[str]) -> list[Problem]:
    """A formula's stored result is whatever Excel last calculated, which may be stale (or absent,
    when another program wrote the file): only a typed or pasted value can be trusted."""
    expected = "a value, not a formula (paste the cells back as values: a formula's stored result may be out of date)"
    problems = []
    for row, col, formula in scan.formulas:
        shown = f"={formula}" if formula else "=(a formula shared with another cell)"
        problems.append(Problem(name, row, _column_name(col, scan, columns), shown, expected, "error", "formula"))
    if scan.formula_count > len(scan.formulas):
        more = scan.formula_count - len(scan.formulas)
        problems.append(Problem(name, None, None, None, f"values, not formulas ({more} more formula cells)", "error", "formula"))
    return problems


def _hidden_problems(name: str, scan: _Scan, columns: list[str]) -> list[Problem]:
    """Rows and columns the officer cannot see are read like the others (a filter hides rows, and
    what a filter hides is still in the file); the report says so, so nothing loads unseen."""
    problems = [
        Problem(
            name,
            row,
            None,
            None,
            "rows you can see (this row is hidden in the workbook, perhaps by a filter, and was read: unhide it to check it)",
            "warning",
            "hidden",
        )
        for row in scan.hidden_rows
    ]
    for index, column in enumerate(columns):
        col = scan.first_col + index
        if any(first <= col <= last for first, last in scan.hidden_cols):
            problems.append(
                Problem(
                    name,
                    scan.first_row,
                    column,
                    None,
                    "columns you can see (this column is hidden in the workbook and was read: unhide it to check it)",
                    "warning",
                    "hidden",
                )
            )
    return problems


def _as_stored(frame: pl.DataFrame, scan: _Scan) -> pl.DataFrame:
    """The frame with each number fastexcel misstated put back as Excel shows it, so validation
    judges the stored figure: 150.0000000001 is then refused as not a whole number, naming it.
    A cell whose text is not fastexcel's rendering of the number (a date) is left alone."""
    by_column: dict[int, list[tuple[int, str, str]]] = {}
    for row, col, read_as, shown in scan.numbers:
        index = row - scan.first_row - 1
        if 0 <= index < frame.height and 0 <= col - scan.first_col < frame.width:
            by_column.setdefault(col - scan.first_col, []).append((index, read_as, shown))
    for position, cells in by_column.items():
        column = frame.columns[position]
        values = frame[column].to_list()
        for index, read_as, shown in cells:
            if values[index] == read_as:
                values[index] = shown
        frame = frame.with_columns(pl.Series(column, values, dtype=pl.String))
    return frame
