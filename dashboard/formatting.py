"""Numbers as people read them on a projector: pounds with separators, counts, percentages."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from pipelines.money import pounds


def money(value: Decimal | float | int | None, pence: bool = False) -> str:
    if value is None:
        return "—"
    value = Decimal(str(value))
    text = f"{pounds(abs(value))}" if pence else f"{pounds(abs(value), pence=False)}"
    return "-" + text if value < 0 else text


def money_column(frame: pl.DataFrame, column: str, pence: bool = False) -> pl.Series:
    return pl.Series(column, [money(v, pence) for v in frame[column]], dtype=pl.String)


def count(value: int | float | Decimal | None) -> str:
    if value is None:
        return "—"
    number = Decimal(str(value))
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"


MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def plain(text: str) -> str:
    """Text from files (names, details) shown in Markdown as the characters they are: no links,
    markup, LaTeX or emoji codes can be smuggled in."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
