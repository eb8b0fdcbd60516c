"""Numbers as people read them on a projector: pounds with separators, counts, percentages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl

from pipelines.base import clock
from pipelines.base.money import pounds

# What a figure or a table cell shows when there is none (a school with no district, a
# partnership with no previous amount): the same dash everywhere, never Python's "None".
MISSING = "—"


# Why a Year 10 figure can end in a half: said beside the figures that show one.
SHARED_SCHOOL = "A school in k partnerships counts 1/k in each, so a figure can end in a fraction (.5 for a school in two)."


def money(value: Decimal | float | int | None, pence: bool = False) -> str:
    return pounds(value, pence=pence, blank=MISSING)


def money_column(frame: pl.DataFrame, column: str, pence: bool = False) -> pl.Series:
    return pl.Series(column, [money(v, pence) for v in frame[column]], dtype=pl.String)


def count(value: int | float | Decimal | None) -> str:
    if value is None:
        return MISSING
    number = Decimal(str(value))
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"


MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def plain(text: str) -> str:
    """Text from files (names, details) shown in Markdown as the characters they are: no links,
    markup, LaTeX or emoji codes can be smuggled in."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)


# What the tool is called where no dataset names what it is about.
SERVICE = "14-19 partnerships"


def browser_title(page: str, dataset_name: str | None) -> str:
    """A browser tab's title in the GOV.UK order, the page first and then what it is about (the
    loaded dataset's own name), so tabs, bookmarks and a screen reader's list of windows tell the
    pages apart."""
    return f"{page} – {(dataset_name or '').strip() or SERVICE}"


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def setting_value(value: object) -> str:
    """A frozen setting as people read it: a day written in a file's ISO form ("2018-01-18")
    reads "18 January 2018"; anything else as it was recorded."""
    text = str(value)
    return clock.day_text(dt.date.fromisoformat(text)) if ISO_DAY.fullmatch(text) else text
