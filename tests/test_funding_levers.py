"""The funding structure's levers, checked by hand: the county top-slice, transition protection
against the previous (2008/9) amounts by capping and scaling, and staffing from a manager's cost.
Every expected figure below is worked out in the comment beside it, not read from the SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import AS_OF, CENSUS, Member, Scenario, empty_store, fill

from pipelines.rules.allocate import AllocationRefused, AllocationSettings, allocate, summarise

D = Decimal


def three(previous: dict[str, str] | None = None) -> Scenario:
    """A, B and C with Year 10 of 100, 100 and 200, all accredited."""
    return Scenario(
        {"A": [Member(100001, year10=100)], "B": [Member(100002, year10=100)], "C": [Member(100003, year10=200)]},
        {"A": "accredited", "B": "accredited", "C": "accredited"},
        previous or {},
    )


def split(scenario: Scenario, total, **levers) -> tuple[dict[str, dict], dict]:
    con = fill(empty_store(), scenario)
    frame = allocate(con, AllocationSettings(total=total, as_of=AS_OF, census_date=CENSUS, **levers))
    return {r["partnership_code"]: r for r in frame.iter_rows(named=True)}, summarise(con, frame)


def money(rows: dict[str, dict]) -> dict[str, Decimal]:
    return {code: r["amount"] for code, r in rows.items()}


def test_top_slice_comes_off_the_pot_first():
    # £100,000 less £10,000 = £90,000 shared 100:100:200 = 22,500 / 22,500 / 45,000
    rows, summary = split(three(), 100000, top_slice=10000)
    assert money(rows) == {"A": D("22500.00"), "B": D("22500.00"), "C": D("45000.00")}
    assert (summary["amount_total"], summary["top_slice"], summary["pot_total"]) == (D("90000.00"), D("10000.00"), D("100000.00"))


def test_top_slice_as_a_percentage_is_rounded_down_to_the_unit():
    # 7.5% of £1,001 = £75.075, rounded down to £75; £926 shared 1:1:2 = 231.5 / 231.5 / 463:
    # the two halves go by largest remainder, ties to the lowest code: A 232, B 231, C 463
    rows, summary = split(three(), 1001, top_slice_pct=D("7.5"))
    assert summary["top_slice"] == D("75.00")
    assert money(rows) == {"A": D("232.00"), "B": D("231.00"), "C": D("463.00")}
    assert summary["pot_total"] == D("1001.00")


def test_the_issue_hand_example_of_a_loss_limit():
    # Year 10 100/100/200, previous £40,000 / £10,000 / £10,000, pot £60,000, loss limit 20%:
    # by Year 10 A would get £15,000 < its floor 80% x 40,000 = £32,000, so A is fixed at £32,000;
    # B and C share £28,000 as 9,333.33 and 18,666.67 -> £9,333 and £18,667 (both above their £8,000 floors).
    rows, summary = split(three({"A": "40000", "B": "10000", "C": "10000"}), 60000, protect_loss=20)
    assert money(rows) == {"A": D("32000.00"), "B": D("9333.00"), "C": D("18667.00")}
    assert rows["A"]["protection"] == "floor"
    assert rows["A"]["protection_effect"] == D("17000.00")  # 32,000 - 15,000
    assert rows["B"]["protection"] is None and rows["C"]["protection"] is None
    assert summary["pot_total"] == D("60000.00")


def test_a_gain_limit_caps_and_the_rest_is_shared_by_the_others():
    # Same partnerships, previous £10,000 each, pot £60,000, gain limit 50% (cap £15,000):
    # by Year 10 C would get £30,000 > £15,000, so C is fixed at £15,000; A and B share £45,000
    # equally, £22,500 each, but their caps are £15,000 too: next round both are capped, and
    # £15,000 would be left that nobody can take: refused.
    with pytest.raises(AllocationRefused, match="nobody can take"):
        split(three({"A": "10000", "B": "10000", "C": "10000"}), 60000, protect_gain=50)
    # With only C protected (A and B have no previous amount) the £45,000 goes to A and B.
    rows, _ = split(three({"C": "10000"}), 60000, protect_gain=50)
    assert money(rows) == {"A": D("22500.00"), "B": D("22500.00"), "C": D("15000.00")}
    assert rows["C"]["protection"] == "cap" and rows["C"]["protection_effect"] == D("-15000.00")


def test_capping_and_scaling_goes_round_again_when_fixing_one_breaks_another():
    # Year 10 100/100/200, previous A £30,000, B £12,000; pot £40,000, loss limit 10%:
    # round 1: shares 10,000 / 10,000 / 20,000; A breaks its floor £27,000 -> fixed;
    # round 2: B and C share £13,000: B 4,333.33 < its floor £10,800 -> fixed;
    # round 3: C alone takes 40,000 - 27,000 - 10,800 = £2,200.
    rows, _ = split(three({"A": "30000", "B": "12000"}), 40000, protect_loss=10)
    assert money(rows) == {"A": D("27000.00"), "B": D("10800.00"), "C": D("2200.00")}
    assert [rows[c]["protection"] for c in "ABC"] == ["floor", "floor", None]


def test_floors_above_what_there_is_to_share_are_refused_not_rounded_away():
    # Floors 90% of £40,000 + 90% of £30,000 = £63,000 > the £60,000 pot.
    with pytest.raises(AllocationRefused, match=r"floors alone \(£63,000.00\)"):
        split(three({"A": "40000", "B": "30000"}), 60000, protect_loss=10)


def test_a_floor_is_rounded_up_to_the_unit_and_a_cap_down():
    # Floor 80% of £10,000.05 = £8,000.04 -> £8,001 in whole pounds (never below the limit):
    # pot £20,000, A's Year 10 share £5,000 -> raised to £8,001; B and C share £11,999 1:2 ->
    # 3,999.67 / 7,999.33 -> £4,000 / £7,999.
    rows, _ = split(three({"A": "10000.05"}), 20000, protect_loss=20)
    assert money(rows) == {"A": D("8001.00"), "B": D("4000.00"), "C": D("7999.00")}
    # Cap 110% of £10,000.05 = £11,000.055 -> £11,000 (never above the limit): pot £40,000, C's
    # share £20,000 -> held at £11,000; A and B share £29,000 -> £14,500 each.
    rows, _ = split(three({"C": "10000.05"}), 40000, protect_gain=10)
    assert money(rows) == {"A": D("14500.00"), "B": D("14500.00"), "C": D("11000.00")}


def test_no_levers_gives_todays_split():
    plain, _ = split(three({"A": "40000"}), 60001)
    levered, _ = split(three({"A": "40000"}), 60001, top_slice=0, protect_loss=None, protect_gain=None)
    assert money(plain) == money(levered) == {"A": D("15000.00"), "B": D("15000.00"), "C": D("30001.00")}


def test_manager_cost_gives_fte_and_days_rounded_half_up_on_exact_values():
    # £45,000 a full-time manager: A £22,500 -> FTE 0.500, 2.50 days; C £45,000 -> 1.000, 5.00 days.
    rows, _ = split(three(), 90000, manager_cost=45000)
    assert (rows["A"]["fte"], rows["A"]["days_per_week"]) == (D("0.500"), D("2.50"))
    assert (rows["C"]["fte"], rows["C"]["days_per_week"]) == (D("1.000"), D("5.00"))
    # An exact half: £4 of £8,000 is 0.0005 FTE -> 0.001 (half up; a binary float may round it down).
    rows, _ = split(Scenario({"A": [Member(100001, year10=1)]}, {"A": "accredited"}), 4, manager_cost=8000)
    assert rows["A"]["fte"] == D("0.001")


def test_day_rate_staffing_rounds_half_up_too():
    # £300 x 39 weeks = £11,700 a weekly day; £585 is exactly 0.05 days -> 0.05; £58.50 is 0.005 -> 0.01 (half up).
    rows, _ = split(Scenario({"A": [Member(100001, year10=1)]}, {"A": "accredited"}), D("58.50"), unit=D("0.01"))
    assert rows["A"]["days_per_week"] == D("0.01")


def test_exact_half_day_rounds_up_where_a_binary_float_rounds_down():
    # £11,758.50 at £300 x 39 weeks is exactly 1.005 days a week; round() on a double gives 1.00.
    rows, _ = split(Scenario({"A": [Member(100001, year10=1)]}, {"A": "accredited"}), D("11758.50"), unit=D("0.01"))
    assert rows["A"]["days_per_week"] == D("1.01")
    assert rows["A"]["fte"] == D("0.201")  # 0.201 exactly: 11,758.50 / 58,500


@pytest.mark.parametrize(
    ("levers", "message"),
    [
        ({"top_slice": 10, "top_slice_pct": 5}, "not both"),
        ({"top_slice_pct": 101}, "from 0 to 100"),
        ({"protect_loss": -1}, "from 0"),
        ({"manager_cost": 0}, "above zero"),
        ({"top_slice": "10.005"}, "two decimal places"),
    ],
)
def test_bad_levers_are_refused_with_the_reason(levers, message):
    with pytest.raises(AllocationRefused, match=message):
        AllocationSettings(total=1000, **levers)


def test_a_top_slice_larger_than_the_pot_is_refused():
    with pytest.raises(AllocationRefused, match="more than the pot"):
        split(three(), 1000, top_slice=1001)


def test_the_command_line_takes_the_levers_and_refuses_an_unknown_code(store, capsys):
    from pipelines.cli.main import main

    base = ["allocate", "--total", "10000", "--as-of", AS_OF.isoformat(), "--db", str(store), "--include-pending"]
    assert main([*base, "--top-slice", "1000", "--manager-cost", "45000"]) == 0
    out = capsys.readouterr().out
    assert "TOP-SLICE" in out and "+ top-slice £1,000.00 equals the pot £10,000.00" in out
    assert main([*base, "--treat-as-accredited", "P99"]) == 2
    err = capsys.readouterr().err
    assert "not a partnership" in err and "P99" in err


def test_a_link_carries_the_levers_and_reports_what_it_cannot_use():
    from pipelines.rules import links

    chosen, problems = links.from_query({"total": "500000", "slice": "50000", "loss": "10", "gain": "25", "manager": "45000"})
    assert problems == []
    assert (chosen.top_slice, chosen.protect_loss, chosen.protect_gain, chosen.manager_cost) == (
        D("50000.00"),
        D("10"),
        D("25"),
        D("45000.00"),
    )
    assert links.from_query(links.to_query(chosen))[0] == chosen
    chosen, problems = links.from_query({"total": "500000", "loss": "150"})
    assert chosen.protect_loss is None and any("loss" in p for p in problems)


def test_the_allocation_page_shows_the_levers_from_the_sidebar(store, monkeypatch):
    from test_dashboard import open_page

    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1", slice="1000")
    assert "+ county top-slice £1,000.00 equals the pot £10,000.00" in app.success[0].value.replace("\\", "")
    table = app.dataframe[0].value
    # The county's line, then the total (no code: the table's placeholder shows there).
    assert list(table["Code"])[-2] == "TOP-SLICE" and table["Code"].isna().iloc[-1]
    assert table["Amount (£)"].iloc[:-1].sum() == table["Amount (£)"].iloc[-1] == 10000.0
    app.number_input(key="sc_manager").set_value(45000.0).run()
    assert app.query_params["manager"] == "45000"
    table = app.dataframe[0].value
    fte = dict(zip(table["Code"], table["FTE"], strict=True))
    amounts = dict(zip(table["Code"], table["Amount (£)"], strict=True))
    assert fte["P1"] == round(amounts["P1"] / 45000, 3)
    app.text_input(key="sc_slice_text").input("10%").run()
    assert app.query_params["slicepct"] == "10" and "slice" not in app.query_params
    app.text_input(key="sc_slice_text").input("£20,000").run()  # more than the pot: refused, the 10% stays
    assert any("County top-slice" in w.value.replace("\\", "") and "more than the pot" in w.value for w in app.sidebar.warning)
    assert app.query_params["slicepct"] == "10"


def test_a_decision_with_a_top_slice_keeps_it_and_still_adds_up(store, monkeypatch):
    from test_dashboard import open_page

    from pipelines.outputs import records

    query = {"total": "10000", "pending": "1", "slice": "1000", "loss": "5", "asof": AS_OF.isoformat()}
    approval = records.approve(store, query, title="With a top-slice", approved_by="Chair")
    app = open_page(store, monkeypatch, "decisions", d=str(approval.decision_id))
    shown = " ".join(m.value.replace("\\", "") for m in app.markdown)
    assert "top-slice £1,000.00 equals the approved pot £10,000.00" in shown
    # A plain table shows each cell as its characters: Markdown's escapes are taken off to read them.
    settings = " ".join(str(v) for t in app.table for v in t.value.to_numpy().ravel()).replace("\\", "")
    assert "County top-slice" in settings and "95%" in settings


def test_a_link_with_a_grouped_top_slice_and_a_percentage_opens_on_the_amount():
    from pipelines.rules import links

    chosen, problems = links.from_query({"total": "500000", "slice": "5,000", "slicepct": "5"})
    assert (chosen.top_slice, chosen.top_slice_pct) == (D("5000.00"), None)
    assert problems == ["the link gives the top-slice both as an amount and as a percentage; using the amount"]
    chosen, problems = links.from_query({"total": "500000", "slice": "-5"})
    assert chosen.top_slice == 0 and problems == ["the link's top slice '-5' is not usable; leaving it off"]


def test_the_scenario_comparison_shows_the_top_slice_line_and_each_protection():
    from dashboard import compare

    # Plain: £60,000 by Year 10 = 15,000 / 15,000 / 30,000.
    # Levered: £6,000 top-slice, loss limit 20% on A's £40,000 -> A held at £32,000 (+£18,500
    # on its 13,500 share of £54,000); B and C share £22,000 as 7,333.33 / 14,666.67 -> £7,333 / £14,667.
    con = fill(empty_store(), three({"A": "40000"}))
    plain = allocate(con, AllocationSettings(total=60000, as_of=AS_OF, census_date=CENSUS))
    levered = allocate(con, AllocationSettings(total=60000, as_of=AS_OF, census_date=CENSUS, top_slice=6000, protect_loss=20))
    table = compare.side_by_side([("plain", plain), ("levers", levered)])
    assert table["Code"].to_list() == ["A", "B", "C", "TOP-SLICE"]
    assert table["plain: amount"].to_list() == [D("15000.00"), D("15000.00"), D("30000.00"), None]
    assert table["levers: amount"].to_list() == [D("32000.00"), D("7333.00"), D("14667.00"), D("6000.00")]
    assert table["levers: amount"].sum() == table["plain: amount"].sum() == D("60000.00")
    assert table["levers: protection"].to_list() == [D("18500.00"), None, None, None]
    assert table["change levers vs plain: amount"].to_list() == [D("17000.00"), D("-7667.00"), D("-15333.00"), D("6000.00")]
    # Without protection in either scenario there is no protection column to read.
    assert not any(c.endswith(": protection") for c in compare.side_by_side([("a", plain), ("b", plain)]).columns)


def test_the_scenarios_page_compares_levered_scenarios_with_their_settings(store, monkeypatch):
    from test_dashboard import open_page

    from pipelines.outputs import records

    link = {"total": "10000", "pending": "1", "asof": AS_OF.isoformat()}
    records.save_scenario(store, "Plain", link, "Chair")
    records.save_scenario(store, "Top-sliced", {**link, "slice": "1000", "manager": "45000"}, "Chair")
    app = open_page(store, monkeypatch, "scenarios")
    app.multiselect(key="compare_pick").set_value([1, 2]).run()
    captions = " ".join(c.value.replace("\\", "") for c in app.caption)
    assert "county top-slice £1,000;" in captions and "manager £45,000 a year" in captions
    table = app.dataframe[1].value
    assert list(table["Code"])[-1] == "TOP-SLICE"
    assert table["#1 Plain: amount"].sum() == table["#2 Top-sliced: amount"].sum() == 10000.0
    assert table["change #2 Top-sliced vs #1 Plain: amount"].iloc[-1] == 1000.0


def test_when_floors_and_caps_break_in_the_same_round_only_the_side_more_in_breach_is_fixed():
    # Year 10 100/100/200, previous A £20,000, B £10,000, C £10,000; pot £40,000; loss 10%, gain 50%:
    # floors A 18,000, B 9,000, C 9,000; caps A 30,000, B 15,000, C 15,000.
    # Round 1 (£100 a learner): A 10,000 is £8,000 short of its floor, C 20,000 is £5,000 over its cap.
    # Fixing both would leave B £7,000, below its floor, and all three fixed at £42,000: more than
    # the pot, refused although a split exists. The floors are more in breach, so only A is fixed.
    # Round 2: B and C share £22,000 as 7,333.33 / 14,666.67: B is short of its floor, fixed at 9,000.
    # Round 3: C takes £13,000, within its bounds (£65 a learner: A and B below their floors, C free).
    rows, summary = split(three({"A": "20000", "B": "10000", "C": "10000"}), 40000, protect_loss=10, protect_gain=50)
    assert money(rows) == {"A": D("18000.00"), "B": D("9000.00"), "C": D("13000.00")}
    assert [rows[c]["protection"] for c in "ABC"] == ["floor", "floor", None]
    assert summary["pot_total"] == D("40000.00")


def test_a_cap_below_the_lump_sum_is_refused_naming_the_partnership():
    # Year 10 100/100/200, previous A £500, B £10,000, C none; pot £60,000, gain limit 0%, lump
    # sum £1,000: A's cap is £500, but every funded partnership gets at least the £1,000 lump, so
    # no split keeps A within its bounds (it used to be paid £1,000 "held at the cap" of £500).
    with pytest.raises(AllocationRefused, match=r"Partnership A \(A\)'s cap of £500\.00 .* below the lump sum of £1,000\.00"):
        split(three({"A": "500", "B": "10000"}), 60000, protect_gain=0, lump_sum=1000)
    # A previous amount of £0 caps at £0: with a lump sum that is refused too, saying why.
    with pytest.raises(AllocationRefused, match=r"Partnership A \(A\)'s cap is £0\.00 \(its previous amount is £0\.00\)"):
        split(three({"A": "0", "B": "10000"}), 60000, protect_loss=10, protect_gain=10, lump_sum=1000)
    # Without the gain limit there is no cap, and A is paid its lump sum and Year 10 share.
    rows, _ = split(three({"A": "500", "B": "10000"}), 60000, lump_sum=1000)
    assert money(rows) == {"A": D("15250.00"), "B": D("15250.00"), "C": D("29500.00")}  # 1,000 + 57,000 x 1/4 ...


def test_a_previous_amount_of_nothing_is_held_at_a_cap_of_nothing_and_never_raised_to_a_floor():
    # Previous A £0, B £10,000, C none; pot £60,000; loss and gain limits 0%: A's floor and cap are
    # both £0, B's both £10,000. Shares 15,000 / 15,000 / 30,000: A is £15,000 over its £0 cap and
    # B £5,000 over its £10,000 cap, nobody is below a floor, so both are held at their caps and C
    # takes the other £50,000. Both rows are held at the cap (they used to say "raised to the
    # floor", with A £15,000 below its Year 10 share).
    rows, _ = split(three({"A": "0", "B": "10000"}), 60000, protect_loss=0, protect_gain=0)
    assert money(rows) == {"A": D("0.00"), "B": D("10000.00"), "C": D("50000.00")}
    assert [rows[c]["protection"] for c in "ABC"] == ["cap", "cap", None]
    assert (rows["A"]["protection_effect"], rows["B"]["protection_effect"]) == (D("-15000.00"), D("-5000.00"))
    # With only a loss limit a £0 floor is never broken: A keeps its Year 10 share, unlabelled.
    rows, _ = split(three({"A": "0", "B": "10000"}), 60000, protect_loss=0)
    assert money(rows) == {"A": D("15000.00"), "B": D("15000.00"), "C": D("30000.00")}
    assert [rows[c]["protection"] for c in "ABC"] == [None, None, None]


def test_a_floor_applies_to_the_whole_amount_lump_sum_included():
    # Year 10 100/100/200, previous A £40,000, B £10,000; pot £60,000; lump sum £6,000; loss 20%:
    # floors A £32,000, B £8,000 (C has none: its lower bound is the £6,000 lump).
    # Round 1: 60,000 - 3 x 6,000 = 42,000 shared 1:1:2 -> A 6,000 + 10,500 = 16,500 < £32,000:
    # A is raised to its floor; B's 16,500 is above its £8,000.
    # Round 2: B and C share 60,000 - 32,000 = 28,000 as 6,000 + 16,000 x 1/3 = 11,333.33 and
    # 6,000 + 16,000 x 2/3 = 16,666.67 -> £11,333 and £16,667 (the leftover pound to the larger remainder).
    rows, summary = split(three({"A": "40000", "B": "10000"}), 60000, protect_loss=20, lump_sum=6000)
    assert money(rows) == {"A": D("32000.00"), "B": D("11333.00"), "C": D("16667.00")}
    assert [rows[c]["protection"] for c in "ABC"] == ["floor", None, None]
    assert rows["A"]["protection_effect"] == D("15500.00")  # 32,000 - 16,500
    assert summary["pot_total"] == D("60000.00")
    # With B's previous £20,000 (floor £16,000), round 2's £11,333.33 is below it: B is raised
    # to £16,000 too, though its own Year 10 share (16,500) was above it: A's floor took the money.
    # C takes the rest: 60,000 - 32,000 - 16,000 = £12,000, above its £6,000 lump.
    rows, _ = split(three({"A": "40000", "B": "20000"}), 60000, protect_loss=20, lump_sum=6000)
    assert money(rows) == {"A": D("32000.00"), "B": D("16000.00"), "C": D("12000.00")}
    assert [rows[c]["protection"] for c in "ABC"] == ["floor", "floor", None]
    # Floors with the lumps: 32,000 + 16,000 + 6,000 = £54,000 fit in £60,000, but not in £50,000.
    with pytest.raises(
        AllocationRefused,
        match=r"floors alone \(£54,000\.00\) are more than the £50,000\.00 .* at least the lump sum of £6,000\.00",
    ):
        split(three({"A": "40000", "B": "20000"}), 50000, protect_loss=20, lump_sum=6000)


def test_a_floor_rounded_up_past_a_cap_rounded_down_is_refused_not_broken():
    # Previous £100.50 in whole pounds with no loss or gain allowed: floor £101, cap £100; no
    # amount is within both (it used to be paid £100, below its floor).
    with pytest.raises(AllocationRefused, match=r"Partnership A \(A\)'s floor of £101\.00 .* above its cap of £100\.00"):
        split(three({"A": "100.50"}), 60000, protect_loss=0, protect_gain=0)
    # In pence the same limits pay exactly £100.50.
    rows, _ = split(three({"A": "100.50"}), 60000, protect_loss=0, protect_gain=0, unit=D("0.01"))
    assert rows["A"]["amount"] == D("100.50")
