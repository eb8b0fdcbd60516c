"""Every CSV file the tool writes is written here, so none can carry a formula into a spreadsheet.

A text cell beginning with = + - @, a tab or a carriage return is run as a formula when Excel
(or LibreOffice, or Google Sheets) opens the file: a partnership name ``=HYPERLINK(...)`` becomes a
link that sends whoever clicks it to another site, and worse can be written. Such a cell is
written with an apostrophe in front (``guard``), which a spreadsheet shows as text. Numbers are
numbers, not text, and are written as they are: an amount of -500 stays -500.

The tool's own loaders read back what it wrote (a roster from ``plan --out``, a plan file from
``suggest --out`` or the Plan page): every cell read loses that apostrophe again (``unguard``,
applied by pipelines/ingest/readers.py), so a name starting with '-' loads as it was written. To make
that exact, a text that itself starts with apostrophes before one of those characters gets one
more, and reading removes exactly one.

tests/test_csv_guard.py fails if code anywhere else writes CSV, so a new file cannot bypass this.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

import polars as pl

from pipelines.base import clock

# A stored (naive UTC) time in a file: ISO 8601 with its zone, as clock.iso_text writes it.
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A text the guard changes: any apostrophes, then a character that starts a formula.
_NEEDS_GUARD = r"'*[=+\-@\t\r]"
_NEEDS_GUARD_RE = re.compile(_NEEDS_GUARD)


def guard(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs."""
    return "'" + text if _NEEDS_GUARD_RE.match(text) else text


def guard_column(cell: pl.Expr) -> pl.Expr:
    """``guard`` for a text column."""
    return pl.when(cell.str.contains("^" + _NEEDS_GUARD)).then(pl.lit("'") + cell).otherwise(cell)


def unguard(cell: pl.Expr) -> pl.Expr:
    """A cell as it was before ``guard``: one apostrophe fewer where the guard put one."""
    return cell.str.replace("^'(" + _NEEDS_GUARD + ")", "${1}")


def guarded(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column guarded; other columns as they are."""
    return frame.with_columns(guard_column(pl.col(c)).alias(c) for c, kind in frame.schema.items() if kind == pl.String)


def frame_csv(frame: pl.DataFrame, *, date_format: str | None = None) -> str:
    """The frame as CSV text, as polars writes it (a header, comma-separated, quoted where
    needed, line feeds), with every text column guarded."""
    return guarded(frame).write_csv(date_format=date_format, datetime_format=ISO_UTC)


def rows_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows of cells as the files for finance are written: UTF-8 with a byte-order mark (so Excel
    reads the characters right), Windows line ends. A text cell is guarded; None is an empty
    cell; anything else (a number, a date) is written as str() gives it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    if isinstance(value, dt.datetime):  # stored times are UTC: files say so, ISO 8601
        return clock.iso_text(value)
    return str(value)
