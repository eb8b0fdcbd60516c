"""Properties of the funding levers on generated partnership maps (hypothesis): the pot is met
exactly, protected partnerships stay within their bounds, with no lever the split is today's,
the amounts do not depend on the order of the codes, and refusals are exact."""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scenario import AS_OF, CENSUS, Scenario, empty_store, fill
from test_allocation_properties import funded_with_learners, maps

from pipelines.allocate import AllocationRefused, AllocationSettings, allocate

CON = empty_store()
common = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def with_previous(draw) -> Scenario:
    scenario = draw(maps())
    for code in scenario.partnerships:
        if draw(st.booleans()):
            scenario.previous[code] = str(draw(st.integers(0, 200_000)))
    return scenario


def run(scenario: Scenario, total: int, **levers) -> list[dict]:
    fill(CON, scenario)
    return allocate(CON, AllocationSettings(total=total, as_of=AS_OF, census_date=CENSUS, **levers)).to_dicts()


@common
@given(
    scenario=with_previous(),
    total=st.integers(0, 2_000_000),
    top=st.integers(0, 100),
    loss=st.none() | st.integers(0, 100),
    gain=st.none() | st.integers(0, 300),
)
def test_the_pot_is_met_exactly_and_every_protected_partnership_is_within_its_bounds(scenario, total, top, loss, gain):
    assume(funded_with_learners(scenario))
    try:
        rows = run(scenario, total, top_slice_pct=Decimal(top), protect_loss=loss, protect_gain=gain)
    except AllocationRefused as refusal:
        # Only the two protection refusals may happen here, and only when they are true.
        assert "floors alone" in str(refusal) or "nobody can take" in str(refusal), str(refusal)
        if "floors alone" in str(refusal):
            slice_ = total * top // 100
            floors = sum(
                math.ceil(Decimal(scenario.previous[c]) * (100 - loss) / 100)
                for c in scenario.previous
                if scenario.status.get(c) == "accredited"
            )
            assert floors > total - slice_
        return
    assert sum(r["amount"] for r in rows) + rows[0]["top_slice"] == total
    assert rows[0]["top_slice"] == total * top // 100  # a percentage rounded down to the pound
    for r in rows:
        previous = r["previous_amount"]
        if not r["funded"] or previous is None:
            assert r["protection"] is None
            continue
        if loss is not None:
            assert r["amount"] >= previous * (100 - loss) / 100, r
        if gain is not None:
            assert r["amount"] <= previous * (100 + gain) / 100, r


@common
@given(scenario=with_previous(), total=st.integers(0, 2_000_000))
def test_with_no_lever_set_the_split_is_todays(scenario, total):
    assume(funded_with_learners(scenario))
    plain = [(r["partnership_code"], r["amount"]) for r in run(scenario, total)]
    levered = [
        (r["partnership_code"], r["amount"]) for r in run(scenario, total, top_slice=0, protect_loss=None, protect_gain=None)
    ]
    assert plain == levered


@common
@given(scenario=with_previous(), total=st.integers(1_000, 2_000_000), loss=st.integers(0, 50))
def test_an_amount_does_not_depend_on_what_the_partnerships_are_called_but_for_the_tie_rule(scenario, total, loss):
    """Renaming the codes in reverse order changes at most the one-unit tie-breaks of the
    largest remainder (ties go to the lowest code), never a protected amount."""
    assume(funded_with_learners(scenario))
    codes = sorted(scenario.partnerships)
    renamed = {code: f"Q{len(codes) - i:02d}" for i, code in enumerate(codes)}
    mirror = Scenario(
        {renamed[c]: m for c, m in scenario.partnerships.items()},
        {renamed[c]: s for c, s in scenario.status.items()},
        {renamed[c]: a for c, a in scenario.previous.items()},
    )
    try:
        first = {r["partnership_code"]: r for r in run(scenario, total, protect_loss=loss)}
    except AllocationRefused:
        return
    second = {r["partnership_code"]: r for r in run(mirror, total, protect_loss=loss)}
    for code, row in first.items():
        other = second[renamed[code]]
        assert abs(row["amount"] - other["amount"]) <= 1
        if row["protection"] is not None:
            assert row["amount"] == other["amount"] and row["protection"] == other["protection"]


def clamped_split(scenario: Scenario, pot: int, loss: int | None, gain: int | None) -> dict[str, Fraction] | str:
    """The capped-and-scaled split worked out independently of the SQL: the one scale factor L
    at which the funded partnerships' amounts clamp(L x Year 10, floor, cap) add up to the pot
    (floors rounded up to the pound, caps down). Or why there is none: "floors" when the floors
    alone are more than the pot, "stranded" when even every partnership at its cap cannot take it."""
    funded = [c for c in scenario.partnerships if scenario.status.get(c) == "accredited"]
    k = Counter(m.id for c in scenario.partnerships for m in scenario.partnerships[c])
    y = {c: sum((Fraction(m.year10, k[m.id]) for m in scenario.partnerships[c]), Fraction(0)) for c in funded}
    low: dict[str, Fraction | None] = {}
    high: dict[str, Fraction | None] = {}
    for c in funded:
        previous = Fraction(scenario.previous[c]) if c in scenario.previous else None
        low[c] = Fraction(math.ceil(previous * (100 - loss) / 100)) if previous is not None and loss is not None else None
        high[c] = Fraction(math.floor(previous * (100 + gain) / 100)) if previous is not None and gain is not None else None

    def amount(c: str, scale: Fraction) -> Fraction:
        value = scale * y[c]
        if low[c] is not None:
            value = max(value, low[c])
        if high[c] is not None:
            value = min(value, high[c])
        return value

    def spent(scale: Fraction) -> Fraction:
        return sum((amount(c, scale) for c in funded), Fraction(0))

    if spent(Fraction(0)) > pot:
        return "floors"
    if all(high[c] is not None for c in funded if y[c]) and spent(Fraction(10**12)) < pot:
        return "stranded"
    # spent() is continuous, piecewise linear and rising: find the piece that reaches the pot.
    breaks = sorted({Fraction(0)} | {b / y[c] for c in funded if y[c] for b in (low[c], high[c]) if b is not None})
    beyond = breaks[-1] + 1
    while spent(beyond) < pot:  # past the last break the uncapped partnerships rise without end
        beyond *= 2
    breaks.append(beyond)
    for left, right in zip(breaks, breaks[1:], strict=False):
        if spent(right) >= pot:
            rise = spent(right) - spent(left)
            scale = right if rise == 0 else left + (pot - spent(left)) * (right - left) / rise
            return {c: amount(c, scale) for c in funded}
    raise AssertionError("unreachable: the pot is within reach")


@common
@given(
    scenario=with_previous(),
    total=st.integers(0, 1_000_000),
    top=st.integers(0, 30),
    loss=st.integers(0, 60),
    gain=st.integers(0, 120),
)
def test_with_both_limits_the_split_is_the_one_capped_and_scaled_split_and_refusals_are_exact(scenario, total, top, loss, gain):
    """Floors and caps together: each amount is within a pound of the exact capped-and-scaled
    split, and the allocation is refused exactly when no such split exists."""
    assume(funded_with_learners(scenario))
    pot = total - total * top // 100
    expected = clamped_split(scenario, pot, loss, gain)
    try:
        rows = run(scenario, total, top_slice_pct=Decimal(top), protect_loss=loss, protect_gain=gain)
    except AllocationRefused as refusal:
        assert expected == ("floors" if "floors alone" in str(refusal) else "stranded"), (str(refusal), expected)
        return
    assert isinstance(expected, dict), f"refusal expected: {expected}"
    for r in rows:
        if r["partnership_code"] in expected:
            assert abs(Fraction(r["amount"]) - expected[r["partnership_code"]]) < 1, (r, expected)
