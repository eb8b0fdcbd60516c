"""The command line's numbers, read as every value a person types is (pipelines/base/typed_values.py).

Each is an argparse type: a flag that cannot be used stops the command before anything is
opened, with one line naming the flag, what it got and what it expects ("--total: got '-5';
expected an amount of £0 or more"), and exit code 2. The allocation settings are then read again
by AllocationSettings with the same readers, so the command line and a link cannot differ."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal
from typing import NoReturn, TypeVar

from pipelines.base import typed_values
from pipelines.base.typed_values import RECORD_ID_RANGE, Unusable, shown
from pipelines.ingest.layouts import PLAN_DISTANCE_KM_RANGE

T = TypeVar("T")


def _flag(read: Callable[[str], T], name: str) -> Callable[[str], T]:
    def convert(text: str) -> T:
        try:
            return read(text)
        except Unusable as wrong:
            raise argparse.ArgumentTypeError(f"got {shown(text)}; expected {wrong.expected}") from None

    convert.__name__ = name  # argparse names the type by it in its own messages
    return convert


money = _flag(lambda text: typed_values.read_money(text, "amount"), "amount")
money_above_zero = _flag(lambda text: typed_values.read_money(text, "amount", above_zero=True), "amount")
weeks = _flag(typed_values.read_weeks, "weeks")
percent = _flag(lambda text: typed_values.read_percent(text, "percentage", Decimal(100)), "percentage")
gain_percent = _flag(lambda text: typed_values.read_percent(text, "percentage", typed_values.MAX_GAIN_PERCENT), "percentage")
record_id = _flag(lambda text: typed_values.read_whole_number(text, "number", *RECORD_ID_RANGE), "number")
count = _flag(lambda text: typed_values.read_whole_number(text, "count", 0, RECORD_ID_RANGE[1]), "count")
# A distance beyond which a school is flagged: no two places in Great Britain are further apart
# than the plan layout's largest distance.
_KM_LOW, _KM_HIGH = (Decimal(bound) for bound in PLAN_DISTANCE_KM_RANGE)
km = _flag(lambda text: float(typed_values.read_number(text, "distance", _KM_LOW, _KM_HIGH, "km")), "distance")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high`` (argparse's choices=range() would take int()'s
    readings of other scripts' digits)."""
    return _flag(lambda text: typed_values.read_whole_number(text, "number", low, high), "number")


class Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line: the flag, what it got and what it
    expects, and where the help is (exit 2, as argparse's own)."""

    def error(self, message: str) -> NoReturn:
        said = message.removeprefix("argument ")
        self.exit(2, f"{self.prog}: error: {said} (see: {self.prog} --help)\n")
