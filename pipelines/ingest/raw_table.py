"""A file as read, before any layout is applied: its cells as text with each row's spreadsheet
row number, and the checks every format shares (a header cell named once, blank rows, invisible
characters at a cell's ends). Both readers (readers.py for CSV, xlsx_reader.py for workbooks)
build on it, so neither imports the other's module to share them."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.base.csv_out import unguard
from pipelines.base.free_text import INVISIBLE_AT_EDGES
from pipelines.ingest.problems import Problem

ROW = "__row"  # the spreadsheet row number of each data row (header is row 1)


@dataclass
class RawTable:
    """A file's cells as text, plus what reading it revealed."""

    frame: pl.DataFrame | None
    file_format: str = ""
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    header_row: int = 1  # a workbook may have blank rows above its header

    @property
    def columns(self) -> list[str]:
        return [] if self.frame is None else [c for c in self.frame.columns if c != ROW]


def refuse(name: str, expected: str, check: str) -> RawTable:
    return RawTable(None, problems=[Problem(name, None, None, None, expected, "error", check)])


def trim_invisible(cell: pl.Expr) -> pl.Expr:
    """A text cell without the invisible characters around it: a name or id pasted with a
    zero-width space is the same name or id, and a cell of nothing visible is blank."""
    return cell.str.replace_all(INVISIBLE_AT_EDGES, "")


def trim_invisible_cells(cells: list[str]) -> list[str]:
    """Header cells, trimmed as data cells are (trim_invisible)."""
    return pl.Series(cells, dtype=pl.String).str.replace_all(INVISIBLE_AT_EDGES, "").to_list()


def header_problems(name: str, header: list[str], row: int = 1) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, (raw, column) in enumerate(zip(header, trim_invisible_cells(header), strict=True), start=1):
        if not column:
            problems.append(Problem(name, row, f"#{index}", raw, "a column name in every header cell", "error", "header"))
        elif column.lower() in seen:
            problems.append(
                Problem(
                    name,
                    row,
                    column,
                    column,
                    f"each column once (it also appears as column {seen[column.lower()]})",
                    "error",
                    "header",
                )
            )
        else:
            seen[column.lower()] = index
    return problems


def drop_blank_rows(name: str, frame: pl.DataFrame, problems: list[Problem]) -> pl.DataFrame:
    cells = [c for c in frame.columns if c != ROW]
    # A cell the tool's own CSV writer guarded against spreadsheet formulas reads as it was.
    frame = frame.with_columns(trim_invisible(unguard(pl.col(c))) for c in cells)
    frame = frame.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in cells)
    blank = pl.all_horizontal(pl.col(c).is_null() for c in cells)
    for row in frame.filter(blank)[ROW].to_list():
        problems.append(Problem(name, row, None, None, "a data row (this row is blank and was skipped)", "warning", "blank_row"))
    return frame.filter(~blank)
