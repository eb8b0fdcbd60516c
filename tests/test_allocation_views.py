"""What an officer reads beside the split, worked out in SQL: pounds per Year 10 learner (exact,
then rounded to the penny), the columns' totals, each line's change against a baseline, and the
money by district (a partnership's amount split by its Year 10 per district)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl
from scenario import AS_OF, CENSUS, Member, Scenario, accredited, empty_store, fill

from pipelines.rules import allocation_views
from pipelines.rules.allocate import AllocationSettings, allocate, summarise, year10_attribution


def _settings(total, **kwargs) -> AllocationSettings:
    return AllocationSettings(total=Decimal(total), as_of=AS_OF, census_date=CENSUS, **kwargs)


def _penny(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _by_district(con, frame):
    return allocation_views.by_district(con, frame, year10_attribution(con, as_of=AS_OF, census_date=CENSUS))


def _districts(con, districts: dict[int, str]) -> None:
    for institution_id, district in districts.items():
        con.execute("UPDATE institutions SET district = ? WHERE institution_id = ?", [district, institution_id])


def test_pounds_per_year10_are_rounded_to_the_nearest_penny_not_cut():
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=120)], "B": [Member(100002, year10=200)]}))
    frame = allocate(con, _settings(100))
    rows = {r["partnership_code"]: r for r in frame.iter_rows(named=True)}
    assert (rows["A"]["amount"], rows["B"]["amount"]) == (Decimal("38.00"), Decimal("62.00"))
    assert rows["A"]["per_year10"] == Decimal("0.32")  # 38 / 120 = 0.3166...: up, not cut to 0.31
    assert rows["B"]["per_year10"] == Decimal("0.31")
    assert summarise(con, frame)["pot_per_year10"] == Decimal("0.31")  # 100 / 320 = 0.3125


def test_pounds_per_year10_use_the_exact_year10_of_a_school_in_three_partnerships():
    # 100001 is in all three (100/3 each); Year 10 as shown is cut to four places (53.3333), and
    # at a pot this size dividing by it would be out by pounds.
    shared = Member(100001, year10=100)
    con = fill(
        empty_store(),
        accredited(
            {
                "A": [shared, Member(100002, year10=20)],
                "B": [shared, Member(100003, year10=50)],
                "C": [shared, Member(100004, year10=7)],
            }
        ),
    )
    frame = allocate(con, _settings(9_000_000_000))
    exact = {"A": Fraction(100, 3) + 20, "B": Fraction(100, 3) + 50, "C": Fraction(100, 3) + 7}
    rows = {r["partnership_code"]: r for r in frame.iter_rows(named=True)}
    for code, year10 in exact.items():
        amount = Fraction(rows[code]["amount"])
        assert rows[code]["per_year10"] == _penny(amount / year10), code
    assert any(rows[c]["per_year10"] != _penny(Fraction(rows[c]["amount"]) / Fraction(rows[c]["year10"])) for c in exact)
    assert summarise(con, frame)["pot_per_year10"] == _penny(Fraction(9_000_000_000) / sum(exact.values()))


def test_an_unfunded_partnership_has_no_pounds_per_year10():
    con = fill(empty_store(), Scenario({"A": [Member(100001, year10=10)], "B": [Member(100002, year10=10)]}, {"A": "accredited"}))
    rows = {r["partnership_code"]: r for r in allocate(con, _settings(1000)).iter_rows(named=True)}
    assert rows["A"]["per_year10"] == Decimal("100.00")
    assert rows["B"]["per_year10"] is None


def test_the_summary_totals_the_staffing_columns():
    con = fill(empty_store(), accredited({code: [Member(100000 + i, year10=10 + i)] for i, code in enumerate("ABC")}))
    frame = allocate(con, _settings(100_000))
    summary = summarise(con, frame)
    assert summary["days_total"] == sum(frame["days_per_week"])
    assert summary["fte_total"] == sum(frame["fte"])


def _shared_across_districts():
    """A: X1 (North, 60) and X2 (South, 30, also in B: 15 each); B: X2 and X3 (South, 45)."""
    shared = Member(100002, year10=30)
    con = fill(
        empty_store(),
        accredited({"A": [Member(100001, year10=60), shared], "B": [shared, Member(100003, year10=45)]}),
    )
    _districts(con, {100001: "North", 100002: "South", 100003: "South"})
    return con


def test_money_by_district_splits_each_partnership_by_its_year10_per_district():
    con = _shared_across_districts()
    # £100 off the top; £1,000 shared 75 : 60 -> A £556 (555.56), B £444 (444.44).
    frame = allocate(con, _settings(1100, top_slice=Decimal(100)))
    assert frame["amount"].to_list() == [Decimal("556.00"), Decimal("444.00")]
    lines = _by_district(con, frame)
    assert lines.select("line", "district", "year10", "amount").rows() == [
        ("district", "North", Decimal("60.0000"), Decimal("444.80")),  # A's 60 of 75
        ("district", "South", Decimal("75.0000"), Decimal("555.20")),  # A's 15 of 75, and all of B's 444
        ("top_slice", "County strategic support", None, Decimal("100.00")),
        ("total", "Total", Decimal("135.0000"), Decimal("1100.00")),
    ]
    assert lines["partnerships"].to_list()[:2] == ["A", "A, B"]
    assert lines["per_year10"].to_list()[:2] == [Decimal("7.41"), Decimal("7.40")]  # 444.80 / 60; 555.20 / 75 = 7.4027


def test_money_by_district_rounds_to_the_penny_by_largest_remainder():
    con = fill(empty_store(), accredited({"A": [Member(100001 + i, year10=10) for i in range(3)]}))
    _districts(con, {100001: "Gamma", 100002: "Alpha", 100003: "Beta"})
    lines = _by_district(con, allocate(con, _settings(100)))
    assert lines.select("district", "amount").rows() == [
        ("Alpha", Decimal("33.34")),  # the penny left over goes to the first by name
        ("Beta", Decimal("33.33")),
        ("Gamma", Decimal("33.33")),
        ("Total", Decimal("100.00")),
    ]


def test_money_by_district_keeps_a_lump_sum_without_learners_and_a_school_without_a_district():
    con = fill(
        empty_store(),
        accredited(
            {
                "A": [Member(100001, year10=100)],
                "B": [Member(10000001, kind="college", year10=None)],
                "C": [Member(100003, year10=100)],
            }
        ),
    )
    _districts(con, {100001: "North"})
    lines = _by_district(con, allocate(con, _settings(1010, lump_sum=Decimal(10))))
    assert lines.select("district", "amount").rows() == [
        ("North", Decimal("500.00")),
        ("District not recorded", Decimal("500.00")),
        ("No Year 10 learners (a lump sum alone)", Decimal("10.00")),
        ("Total", Decimal("1010.00")),
    ]


def test_change_against_a_baseline_line_by_line_with_the_total():
    con = _shared_across_districts()
    now = allocate(con, _settings(1100, top_slice=Decimal(100)))
    before = allocate(con, _settings(600)).filter(pl.col("partnership_code") == "A")  # a baseline without B
    assert before["amount"].to_list() == [Decimal("333.00")]
    lines = allocation_views.against_baseline(con, now, before, Decimal(0))
    assert lines.select("line", "partnership_code", "change").rows() == [
        ("partnership", "A", Decimal("223.00")),  # 556 - 333
        ("partnership", "B", Decimal("444.00")),  # from £0
        ("top_slice", "TOP-SLICE", Decimal("100.00")),
        ("total", None, Decimal("767.00")),
    ]


def test_a_top_slice_only_the_baseline_had_shows_as_a_change():
    con = _shared_across_districts()
    now = allocate(con, _settings(1000))
    before = allocate(con, _settings(1100, top_slice=Decimal(100)))
    lines = allocation_views.against_baseline(con, now, before, before["top_slice"][0])
    assert lines.select("line", "change").rows() == [
        ("partnership", Decimal("0.00")),
        ("partnership", Decimal("0.00")),
        ("top_slice", Decimal("-100.00")),
        ("total", Decimal("-100.00")),
    ]
