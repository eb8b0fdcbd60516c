"""Pounds as people read them, one way everywhere: the terminal table, the meeting pack, the
dashboard, refusals and summaries. A figure is never shown with fewer pence than it has: whole
pounds are written without pence only when the amount is whole, so a split rounded to £1 reads
as it is paid and an amount with pence (an old allocation, a 1p split) keeps them.

A negative amount is written with a hyphen-minus before the pound sign, "-£5,219.00": never
"£-5,219.00", nor the typographic minus "−£5,219.00", nor brackets. The hyphen is what the
command line and the files already printed, it survives a copy into Excel or a CSV (which
read "-£5,219.00" as a number and "−£5,219.00" as text), and every font of the meeting pack
has it. Charts write the same (``D3_LOCALE``); tables hold the number, with "(£)" in the
heading, and show "-5,219.00"."""

from __future__ import annotations

from decimal import Decimal

MINUS = "-"
# The number locale of every chart (Vega-Lite's config.locale): d3 writes its own minus sign
# (U+2212) unless told, and its "$" means the pound here, so ``+$,.0f`` reads "+£1,000" / "-£1,000".
D3_LOCALE = {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""], "minus": MINUS}}


def pounds(value: Decimal | float | int | str | None, pence: bool = True, blank: str = "") -> str:
    """'£1,234.50', '-£1,234.50' (see MINUS); with pence=False '£1,234' for a whole amount. None gives
    ``blank``. Exact: a float is read through its shortest text, never its binary value."""
    if value is None:
        return blank
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    show_pence = pence or amount != amount.to_integral_value()
    text = f"£{abs(amount):,.2f}" if show_pence else f"£{abs(amount):,.0f}"
    return f"{MINUS}{text}" if amount < 0 else text
