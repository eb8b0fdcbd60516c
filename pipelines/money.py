"""Pounds as people read them, one way everywhere: the terminal table, the meeting pack, the
dashboard, refusals and summaries. A figure is never shown with fewer pence than it has: whole
pounds are written without pence only when the amount is whole, so a split rounded to £1 reads
as it is paid and an amount with pence (an old allocation, a 1p split) keeps them."""

from __future__ import annotations

from decimal import Decimal


def pounds(value: Decimal | float | int | str | None, pence: bool = True, blank: str = "") -> str:
    """'£1,234.50', '-£1,234.50'; with pence=False '£1,234' for a whole amount. None gives
    ``blank``. Exact: a float is read through its shortest text, never its binary value."""
    if value is None:
        return blank
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    show_pence = pence or amount != amount.to_integral_value()
    text = f"£{abs(amount):,.2f}" if show_pence else f"£{abs(amount):,.0f}"
    return f"-{text}" if amount < 0 else text
