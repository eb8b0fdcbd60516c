"""Properties of the funding levers on generated partnership maps (hypothesis): the pot is met
exactly, protected partnerships stay within their bounds, with no lever the split is today's,
the amounts do not depend on the order of the codes, and refusals are exact."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings, strategies as st
from test_allocation_properties import funded_with_learners, maps

from pipelines.allocate import AllocationRefused, AllocationSettings, allocate
from scenario import AS_OF, CENSUS, Scenario, empty_store, fill

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
@given(scenario=with_previous(), total=st.integers(0, 2_000_000), top=st.integers(0, 100), loss=st.none() | st.integers(0, 100),
       gain=st.none() | st.integers(0, 300))
def test_the_pot_is_met_exactly_and_every_protected_partnership_is_within_its_bounds(scenario, total, top, loss, gain):
    assume(funded_with_learners(scenario))
    try:
        rows = run(scenario, total, top_slice_pct=Decimal(top), protect_loss=loss, protect_gain=gain)
    except AllocationRefused as refusal:
        # Only the two protection refusals may happen here, and only when they are true.
        assert "floors alone" in str(refusal) or "nobody can take" in str(refusal), str(refusal)
        if "floors alone" in str(refusal):
            slice_ = total * top // 100
            floors = sum(math.ceil(Decimal(scenario.previous[c]) * (100 - loss) / 100) for c in scenario.previous
                         if scenario.status.get(c) == "accredited")
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
    levered = [(r["partnership_code"], r["amount"]) for r in run(scenario, total, top_slice=0, protect_loss=None, protect_gain=None)]
    assert plain == levered


@common
@given(scenario=with_previous(), total=st.integers(1_000, 2_000_000), loss=st.integers(0, 50))
def test_an_amount_does_not_depend_on_what_the_partnerships_are_called_but_for_the_tie_rule(scenario, total, loss):
    """Renaming the codes in reverse order changes at most the one-unit tie-breaks of the
    largest remainder (ties go to the lowest code), never a protected amount."""
    assume(funded_with_learners(scenario))
    codes = sorted(scenario.partnerships)
    renamed = {code: f"Q{len(codes) - i:02d}" for i, code in enumerate(codes)}
    mirror = Scenario({renamed[c]: m for c, m in scenario.partnerships.items()},
                      {renamed[c]: s for c, s in scenario.status.items()}, {renamed[c]: a for c, a in scenario.previous.items()})
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
