"""Values people type (a link's parameters, the command line's flags, the sidebar's boxes), read
one way, each refused with what was got and what was expected.

Python's own readers are too generous for text from outside: ``str.isdigit()`` is true of '²',
``int()`` and ``Decimal()`` read other scripts' digits ('١٢') and underscores ('1_000'),
``Decimal()`` reads 'NaN', 'Infinity' and '1e30', ``int()`` stops with an error past 4,300 digits
and ``json.loads`` with a RecursionError on deep nesting. So a number here is ASCII digits, with
an optional sign, point and thousands commas (and £ for pounds), a few dozen characters at most,
within a range declared beside the value it is; and JSON from a link is bounded in length and
depth before it is parsed."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from pipelines.base.money import pounds
from pipelines.base.refusals import AllocationRefused

# No number a person types is longer: '£10,000,000,000.00' is 18 characters.
MAX_CHARS = 40
# Longest text of a typed value a message quotes: a link may carry thousands of characters.
SHOWN_CHARS = 40
WHOLE = re.compile(r"[0-9]+")
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")

# A record's number in the store (a decision, a scenario): its keys are BIGINT.
RECORD_ID_RANGE = (1, 2**63 - 1)
# Ten billion pounds: far above any real pot, and well inside the store's DECIMAL(18, 2).
MAX_POUNDS = Decimal("10000000000")
WEEKS_RANGE = (Decimal(1), Decimal(52))
# The gain limit of transition protection: a cap of up to 101 times the previous amount. (The
# allocation macro keeps it as DECIMAL(9, 4), which holds up to 99,999.9999.)
MAX_GAIN_PERCENT = Decimal(10_000)
PERCENT_PLACES = 4


class Unusable(AllocationRefused):
    """A typed value that cannot be used: ``what`` it was for, the value as typed and what was
    expected, said as "the total: got '-5'; expected an amount of £0 or more"."""

    def __init__(self, what: str, value: object, expected: str) -> None:
        self.what, self.value, self.expected = what, value, expected
        super().__init__(f"{what}: got {shown(value)}; expected {expected}")

    def said_for(self, name: str) -> str:
        """The same refusal under another name for the value (a flag such as --total)."""
        return f"{name}: got {shown(self.value)}; expected {self.expected}"


def shown(value: object) -> str:
    """A typed value quoted for a message, cut short when long."""
    text = str(value)
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def whole_number(text: object, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high`` (both at least 0) written in ASCII digits, or None."""
    text = str(text).strip()
    if not WHOLE.fullmatch(text) or len(text.lstrip("0")) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def read_whole_number(value: object, what: str, low: int, high: int) -> int:
    """As whole_number, refused in words when it is not one."""
    found = whole_number(value, low, high)
    if found is None:
        raise Unusable(what, value, f"a whole number from {low:,} to {high:,}")
    return found


def _decimal(value: object, what: str, expected: str, *, pounds_sign: bool = False, percent_sign: bool = False) -> Decimal:
    """The number a value is (a Decimal or int as it is; text read as above)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        amount = Decimal(value)
        if amount.is_finite():
            return amount
        raise Unusable(what, value, expected)
    text = str(value).strip()  # a float through its shortest text, never its binary value
    negative = text.startswith("-")
    body = text[1:].strip() if negative else text
    if pounds_sign:
        body = body.removeprefix("£").strip()
    if percent_sign:
        body = body.removesuffix("%").strip()
    if len(text) > MAX_CHARS or not DECIMAL.fullmatch(body):
        raise Unusable(what, value, expected)
    amount = Decimal(body.replace(",", ""))
    return -amount if negative else amount


def read_money(value: object, what: str, *, above_zero: bool = False) -> Decimal:
    """Pounds and pence from £0 (above it when ``above_zero``) up to MAX_POUNDS."""
    amount = _decimal(value, what, "an amount in pounds such as 1,234,567.89", pounds_sign=True)
    if above_zero and amount <= 0:
        raise Unusable(what, value, "an amount above zero")
    if amount < 0:
        raise Unusable(what, value, "an amount of £0 or more")
    if amount > MAX_POUNDS:
        raise Unusable(what, value, f"an amount of at most {pounds(MAX_POUNDS, pence=False)}")
    if amount != amount.quantize(Decimal("0.01")):
        raise Unusable(what, value, "pounds and pence (at most two decimal places)")
    return amount.quantize(Decimal("0.01"))


def read_weeks(value: object, what: str = "weeks per year") -> Decimal:
    """Weeks a year a manager works: 1 to 52, at most two decimal places."""
    low, high = WEEKS_RANGE
    expected = f"a number of weeks between {low} and {high}"
    weeks = _decimal(value, what, expected)
    if not low <= weeks <= high:
        raise Unusable(what, value, expected)
    if weeks != weeks.quantize(Decimal("0.01")):
        raise Unusable(what, value, f"{expected} with at most two decimal places")
    return weeks


def read_percent(value: object, what: str, top: Decimal) -> Decimal:
    """A percentage from 0 to ``top`` with at most PERCENT_PLACES decimal places."""
    expected = f"a percentage from 0 to {top:,}"
    percent = _decimal(value, what, expected, percent_sign=True)
    if not 0 <= percent <= top:
        raise Unusable(what, value, expected)
    if percent != percent.quantize(Decimal(1).scaleb(-PERCENT_PLACES)):
        raise Unusable(what, value, f"{expected} with at most {PERCENT_PLACES} decimal places")
    return percent


def read_number(value: object, what: str, low: Decimal, high: Decimal, unit: str) -> Decimal:
    """A number from ``low`` to ``high`` (a distance, a count of units), any decimal places."""
    expected = f"a number of {unit} from {low:,} to {high:,}"
    number = _decimal(value, what, expected)
    if not low <= number <= high:
        raise Unusable(what, value, expected)
    return number


class UnreadableJson(ValueError):
    """Text that is not JSON of the size and shape asked for; says why in words."""


def bounded_json(text: str, max_chars: int, max_depth: int) -> Any:
    """JSON of at most ``max_chars`` characters nested at most ``max_depth`` deep, its whole
    numbers at most ``MAX_CHARS`` digits long: refused before the parser could recurse or
    convert without end."""
    if len(text) > max_chars:
        raise UnreadableJson(f"it is {len(text):,} characters long; at most {max_chars:,} are allowed")
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    if deepest > max_depth:
        raise UnreadableJson(f"it is nested {deepest:,} deep; at most {max_depth} is allowed")
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except ValueError as wrong:  # json.JSONDecodeError is one
        raise UnreadableJson("it is not JSON" if not isinstance(wrong, UnreadableJson) else str(wrong)) from None


def _bounded_int(text: str) -> int:
    if len(text) > MAX_CHARS:
        raise UnreadableJson(f"it holds a number {len(text):,} digits long")
    return int(text)


def _no_constant(text: str) -> Any:
    raise UnreadableJson(f"it holds {text}, which is not a number")
