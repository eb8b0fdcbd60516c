"""The allocation arithmetic: the hand examples of the design, the rules about who counts,
and the refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import AS_OF, CENSUS, Member, Scenario, accredited, empty_store, fill

from pipelines.rules.allocate import AllocationRefused, AllocationSettings, allocate


def run(scenario: Scenario, total, **kwargs) -> dict[str, dict]:
    con = fill(empty_store(), scenario)
    frame = allocate(con, AllocationSettings(total=total, as_of=AS_OF, census_date=CENSUS, **kwargs))
    return {r["partnership_code"]: r for r in frame.iter_rows(named=True)}


def amounts(rows: dict[str, dict]) -> dict[str, Decimal]:
    return {code: r["amount"] for code, r in rows.items()}


def test_hand_example_year10_100_200_300_of_60000():
    rows = run(
        accredited({"A": [Member(100001, year10=100)], "B": [Member(100002, year10=200)], "C": [Member(100003, year10=300)]}),
        60000,
    )
    assert amounts(rows) == {"A": Decimal("10000.00"), "B": Decimal("20000.00"), "C": Decimal("30000.00")}


def test_hand_example_100_pounds_across_three_equal_partnerships():
    rows = run(accredited({code: [Member(100000 + i, year10=50)] for i, code in enumerate(["B", "A", "C"])}), 100)
    assert amounts(rows) == {"A": Decimal("34.00"), "B": Decimal("33.00"), "C": Decimal("33.00")}


def test_pence_unit_splits_to_the_penny():
    rows = run(accredited({code: [Member(100000 + i, year10=1)] for i, code in enumerate("ABC")}), 100, unit=Decimal("0.01"))
    assert amounts(rows) == {"A": Decimal("33.34"), "B": Decimal("33.33"), "C": Decimal("33.33")}


def test_prus_colleges_and_wbl_providers_add_nothing():
    base = {"A": [Member(100001, year10=100)], "B": [Member(100002, year10=300)]}
    plain = amounts(run(accredited(base), 40000))
    extended = {
        "A": base["A"] + [Member(100009, "pru", year10=500), Member(10000001, "college", year10=None)],
        "B": base["B"] + [Member(10000002, "wbl_provider", year10=None)],
    }
    assert amounts(run(accredited(extended), 40000)) == plain == {"A": Decimal("10000.00"), "B": Decimal("30000.00")}


def test_special_schools_count_like_high_schools():
    rows = run(accredited({"A": [Member(100001, year10=100)], "B": [Member(100002, "special_school", year10=100)]}), 1000)
    assert amounts(rows) == {"A": Decimal("500.00"), "B": Decimal("500.00")}


def test_unaccredited_partnerships_get_nothing_and_say_why():
    scenario = Scenario(
        {code: [Member(100000 + i, year10=100)] for i, code in enumerate(["A", "B", "C", "D", "E"])},
        {"A": "accredited", "B": "pending", "C": "not_accredited", "D": "lapsed"},
    )
    rows = run(scenario, 9000)
    assert amounts(rows) == {"A": Decimal("9000.00"), "B": 0, "C": 0, "D": 0, "E": 0}
    assert rows["B"]["funding_reason"].startswith("not funded: accreditation pending")
    assert rows["C"]["funding_reason"].startswith("not funded: not accredited")
    assert rows["D"]["funding_reason"].startswith("not funded: accreditation lapsed")
    assert rows["E"]["funding_reason"] == "not funded: no accreditation decision recorded"
    assert [r["funded"] for r in rows.values()] == [True, False, False, False, False]


def test_pending_counts_when_asked_and_a_partnership_can_be_treated_as_accredited():
    scenario = Scenario(
        {"A": [Member(100001, year10=100)], "B": [Member(100002, year10=100)], "C": [Member(100003, year10=200)]},
        {"A": "accredited", "B": "pending", "C": "lapsed"},
    )
    assert amounts(run(scenario, 1000, include_pending=True)) == {"A": 500, "B": 500, "C": 0}
    treated = run(scenario, 1000, treat_as_accredited=("C",))
    assert amounts(treated) == {"A": Decimal("333.00"), "B": 0, "C": Decimal("667.00")}
    assert treated["C"]["funding_reason"].startswith("treated as accredited")


def test_a_school_in_two_partnerships_is_split_between_them():
    shared = Member(100003, year10=90)
    rows = run(accredited({"A": [Member(100001, year10=30), shared], "B": [Member(100002, year10=75), shared]}), 1500)
    assert rows["A"]["year10"] == Decimal("75") and rows["B"]["year10"] == Decimal("120")
    assert amounts(rows) == {"A": Decimal("577.00"), "B": Decimal("923.00")}


def test_a_school_split_three_ways_is_still_exact():
    shared = Member(100009, year10=100)
    rows = run(accredited({c: [shared] for c in "ABC"}), 1000)
    assert [r["year10"] for r in rows.values()] == [Decimal("33.3333")] * 3
    assert amounts(rows) == {"A": Decimal("334.00"), "B": Decimal("333.00"), "C": Decimal("333.00")}


def test_associate_members_add_nothing():
    rows = run(
        accredited(
            {"A": [Member(100001, year10=100), Member(100002, year10=100, role="associate")], "B": [Member(100003, year10=100)]}
        ),
        1000,
    )
    assert amounts(rows) == {"A": Decimal("500.00"), "B": Decimal("500.00")}


def test_lump_sum_first_then_the_rest_by_year10():
    rows = run(
        accredited({"A": [Member(100001, year10=100)], "B": [Member(100002, year10=300)]}), 10000, lump_sum=Decimal("2000")
    )
    assert amounts(rows) == {"A": Decimal("3500.00"), "B": Decimal("6500.00")}


def test_days_per_week_fte_previous_and_change():
    scenario = accredited({"A": [Member(100001, year10=100)]})
    scenario.previous = {"A": "10000.00"}
    row = run(scenario, 11700, day_rate=Decimal("300"), weeks_per_year=Decimal("39"))["A"]
    assert row["days_per_week"] == Decimal("1.00") and row["fte"] == Decimal("0.200")
    assert row["previous_amount"] == Decimal("10000.00") and row["change"] == Decimal("1700.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": -1}, "an amount of £0 or more"),
        ({"total": 100, "lump_sum": 60}, "less than the lump sums"),
        ({"total": "100.50"}, "not a whole number of rounding units"),
        ({"total": 100, "lump_sum": "0.50"}, "lump sum"),
    ],
)
def test_refusals_for_bad_settings(kwargs, message):
    scenario = accredited({"A": [Member(100001, year10=100)], "B": [Member(100002, year10=100)]})
    with pytest.raises(AllocationRefused, match=message):
        run(scenario, **kwargs)


def test_refused_when_nobody_is_funded():
    with pytest.raises(AllocationRefused, match="no partnership is funded"):
        run(Scenario({"A": [Member(100001, year10=100)]}, {"A": "pending"}), 1000)


def test_refused_when_the_funded_have_no_year10():
    with pytest.raises(AllocationRefused, match="no Year 10 learners"):
        run(accredited({"A": [Member(100001, "pru", year10=100)]}), 1000)


def test_settings_refuse_part_pennies_and_odd_units():
    with pytest.raises(AllocationRefused, match="two decimal places"):
        AllocationSettings(total="100.001")
    with pytest.raises(AllocationRefused, match="£1 or £0.01"):
        AllocationSettings(total=100, unit="0.5")


def test_alabama_paradox_is_bounded_by_one_unit():
    """Largest-remainder rounding can give a partnership one unit less when the pot grows (the
    'Alabama paradox'): Year 10 of 6, 6 and 2 gets £4/£4/£2 of £10 but £5/£5/£1 of £11. The
    design asks for largest remainder; the fall is never more than one rounding unit."""
    scenario = accredited({"A": [Member(100001, year10=6)], "B": [Member(100002, year10=6)], "C": [Member(100003, year10=2)]})
    assert amounts(run(scenario, 10)) == {"A": 4, "B": 4, "C": 2}
    assert amounts(run(scenario, 11)) == {"A": 5, "B": 5, "C": 1}


def raw_allocation(con, **overrides):
    """The macro called straight from SQL, as another tool might, bypassing the Python checks."""
    params = {
        "total": Decimal("1000"),
        "lump_sum": Decimal("0"),
        "unit": Decimal("1"),
        "day_rate": Decimal("300"),
        "weeks_per_year": Decimal("39"),
        "census_date": CENSUS,
        "include_pending": False,
        "as_of": AS_OF,
        "treat_as_accredited": [],
        "accept_missing_census": False,
        "census_defaulted": False,
        "top_slice": Decimal("0"),
        "top_slice_pct": None,
        "protect_loss": None,
        "protect_gain": None,
        "manager_cost": None,
    }
    params.update(overrides)
    from pipelines.store import db

    return con.sql(db.read_sql("reports/allocation.sql"), params=params).pl()


def test_pot_units_stay_exact_for_pence_totals_near_the_cap():
    """The largest pot allowed, in pence: every penny accounted for and split exactly."""
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=1)], "B": [Member(100002, year10=2)]}))
    total = Decimal("9999999999.99")
    frame = allocate(con, AllocationSettings(total=total, unit=Decimal("0.01"), as_of=AS_OF, census_date=CENSUS))
    assert sum(frame["amount"].to_list()) == total
    assert frame["amount"].to_list() == [Decimal("3333333333.33"), Decimal("6666666666.66")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"total": Decimal("1000.005")}, "two decimal places"),
        ({"day_rate": Decimal("300.001")}, "two decimal places"),
        ({"unit": Decimal("0.011")}, "£1 or £0.01"),
        ({"weeks_per_year": Decimal("0")}, "between 1 and 52"),
        ({"weeks_per_year": Decimal("53")}, "between 1 and 52"),
        ({"total": Decimal("20000000000")}, "at most"),
    ],
)
def test_the_macro_itself_refuses_what_rounding_would_hide(overrides, message):
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=1)]}))
    with pytest.raises(Exception, match=message):
        raw_allocation(con, **overrides)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": "1,00"}, "such as 1,234,567.89"),
        ({"total": "12,34.5"}, "such as 1,234,567.89"),
        ({"total": "1E+30"}, "such as 1,234,567.89"),
        ({"total": "10000000000.01"}, "at most £10,000,000,000"),
        ({"total": "NaN"}, "amount in pounds"),
        ({"total": 1000, "weeks_per_year": "inf"}, "between 1 and 52"),
        ({"total": 1000, "weeks_per_year": 0}, "between 1 and 52"),
        ({"total": 1000, "weeks_per_year": "abc"}, "a number of weeks"),
        ({"total": 1000, "day_rate": 0}, "the day rate: got '0'; expected an amount above zero"),
        ({"total": 1000, "day_rate": "Infinity"}, "amount in pounds"),
    ],
)
def test_settings_refuse_typos_and_absurd_values(kwargs, message):
    with pytest.raises(AllocationRefused, match=message):
        AllocationSettings(**kwargs)


def test_grouped_thousands_are_read_as_pounds():
    assert AllocationSettings(total="£1,234,567.50", unit="0.01").total == Decimal("1234567.50")


def test_largest_day_rate_and_smallest_weeks_fit_the_staffing_columns():
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=1)]}))
    frame = allocate(
        con, AllocationSettings(total="10000000000", day_rate="0.01", weeks_per_year=1, as_of=AS_OF, census_date=CENSUS)
    )
    assert frame["days_per_week"][0] == Decimal("1000000000000.00")
