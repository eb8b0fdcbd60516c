"""A mangled link still opens, with a note saying which part was not usable: the numbers a link
carries are read as ASCII digits of bounded length within their ranges (pipelines/base/typed_values.py),
and its membership plan as JSON of bounded size and depth whose members are URNs or UKPRNs.
The five links of the outside review, each on its own page, and the readers themselves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dashboard import AS_OF, fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.base import typed_values
from pipelines.base.typed_values import UnreadableJson, Unusable, bounded_json, whole_number
from pipelines.outputs import records
from pipelines.rules import links, plan

LINK = {"total": "10000", "pending": "1", "asof": AS_OF}
DEEP = "[" * 3000 + "]" * 3000
HUGE_MEMBER = '[["add","LOC1",99999999999999999999999]]'
NINES = "9" * 5000

# Texts Python's own readers take, or choke on, that no person means as a number here.
NOT_WHOLE_NUMBERS = ["²", "١٢", "１２", "1_000", "-1", "+1", "1.0", "1e3", "", " ", NINES, "0x10", "½"]


@pytest.mark.parametrize("text", NOT_WHOLE_NUMBERS)
def test_whole_numbers_are_ascii_digits_of_bounded_length(text):
    assert whole_number(text, 0, 10**9) is None


def test_whole_numbers_within_their_range():
    assert whole_number(" 42 ", 1, 100) == 42
    assert whole_number("007", 1, 100) == 7  # leading zeros are still the number
    assert whole_number("0" * 60 + "7", 1, 100) == 7
    assert whole_number("101", 1, 100) is None
    assert whole_number("0", 1, 100) is None
    assert whole_number(str(2**63 - 1), *typed_values.RECORD_ID_RANGE) == 2**63 - 1
    assert whole_number(str(2**63), *typed_values.RECORD_ID_RANGE) is None


@given(st.text(max_size=60))
@settings(max_examples=examples(300))
def test_a_whole_number_is_only_ever_what_its_ascii_digits_say(text):
    found = whole_number(text, 0, 10**12)
    if found is not None:
        assert text.strip().isascii() and int(text.strip()) == found <= 10**12


@pytest.mark.parametrize(
    ("read", "value", "expected"),
    [
        (lambda v: typed_values.read_money(v, "the total"), "1e30", "an amount in pounds such as 1,234,567.89"),
        (lambda v: typed_values.read_money(v, "the total"), "NaN", "an amount in pounds such as 1,234,567.89"),
        (lambda v: typed_values.read_money(v, "the total"), "١٠٠٠", "an amount in pounds such as 1,234,567.89"),
        (lambda v: typed_values.read_money(v, "the total"), "-5", "an amount of £0 or more"),
        (lambda v: typed_values.read_money(v, "the total"), NINES, "an amount in pounds such as 1,234,567.89"),
        (lambda v: typed_values.read_money(v, "the total"), "10000000000.01", "an amount of at most £10,000,000,000"),
        (lambda v: typed_values.read_money(v, "the day rate", above_zero=True), "0", "an amount above zero"),
        (lambda v: typed_values.read_weeks(v), Decimal(0), "a number of weeks between 1 and 52"),
        (lambda v: typed_values.read_percent(v, "the gain limit", Decimal(10_000)), "1e30", "a percentage from 0 to 10,000"),
        (lambda v: typed_values.read_percent(v, "the gain limit", Decimal(10_000)), "1000000", "a percentage from 0 to 10,000"),
    ],
)
def test_each_reader_says_what_it_got_and_what_it_expected(read, value, expected):
    with pytest.raises(Unusable) as refused:
        read(value)
    assert refused.value.expected == expected
    assert "Decimal(" not in str(refused.value)  # the value as typed, not Python's repr of it
    assert len(str(refused.value)) < 200  # a long value is cut short in the message


def test_the_readers_take_what_people_write():
    assert typed_values.read_money("£1,234,567.50", "the total") == Decimal("1234567.50")
    assert typed_values.read_money("-0", "the total") == 0
    assert typed_values.read_percent("12.5%", "the loss limit", Decimal(100)) == Decimal("12.5")
    assert typed_values.read_weeks(" 38.5 ") == Decimal("38.5")


def test_link_json_is_bounded_in_size_depth_and_digits():
    with pytest.raises(UnreadableJson, match="nested 3,000 deep; at most 2"):
        bounded_json(DEEP, 10_000, 2)
    with pytest.raises(UnreadableJson, match="at most 10 are allowed"):
        bounded_json("[" + "1," * 10 + "1]", 10, 2)
    with pytest.raises(UnreadableJson, match="5,000 digits long"):
        bounded_json(f"[[{NINES}]]", 10_000, 2)
    with pytest.raises(UnreadableJson, match="NaN"):
        bounded_json("[NaN]", 100, 2)
    assert bounded_json('[["add","P1",100001,"full","a [name] {with} \\"brackets\\""]]', 1000, 2)[0][2] == 100001


@pytest.mark.parametrize(
    ("link", "says"),
    [
        (DEEP, "cannot be read (it is nested 3,000 deep"),
        (HUGE_MEMBER, "column 'member_id': got '99999999999999999999999'; expected a URN (6 digits) or a UKPRN (8 digits)"),
        ('[["add","P1",1000000]]', "expected a URN (6 digits) or a UKPRN (8 digits)"),  # 7 digits: neither
        ('[["add","P1",' + NINES + "]]", "cannot be read (it holds a number 5,000 digits long)"),
    ],
)
def test_a_links_plan_that_cannot_be_used_opens_without_it_and_says_why(link, says):
    changes, problems = plan.from_link(link)
    assert changes == () and len(problems) == 1 and says in problems[0], problems


def test_record_numbers_in_a_link_are_kept_or_named():
    assert links.record_ids("2,²,9,2,1", {1, 2, 3}, "scenario", 3) == (
        [2, 1],
        ["'²' is not a scenario's number", "there is no scenario 9"],
    )
    found, problems = links.record_ids(NINES, {1}, "decision", 1)
    assert found == [] and problems == [f"'{'9' * 40}…' is not a decision's number"]
    assert links.record_ids("1,2,3,4", {1, 2, 3, 4}, "scenario", 3) == ([1, 2, 3], ["at most 3 scenarios are shown"])
    assert links.record_ids(None, {1}, "decision", 1) == ([], [])


# --- the pages, opened with the links of the review -----------------------------------------------


def _warnings(app) -> list[str]:
    return [w.value.replace("\\", "") for w in app.warning]


@pytest.mark.parametrize(
    ("link", "says"),
    [
        (DEEP, "the link's membership plan cannot be read (it is nested 3,000 deep"),
        (HUGE_MEMBER, "the link's membership plan is not usable (change 1, column 'member_id'"),
    ],
)
def test_a_link_with_a_plan_that_cannot_be_used_opens_every_page_with_a_note(store, monkeypatch, link, says):
    first = open_page(store, monkeypatch, plan=link)  # the link's own page shows the note
    assert any(says in w for w in _warnings(first)), _warnings(first)
    allocation = open_page(store, monkeypatch, "allocation", plan=link)
    assert allocation.success and "equals the pot" in allocation.success[0].value


@pytest.mark.parametrize(
    ("asked", "says"),
    [("²", "'²' is not a decision's number"), (NINES, f"'{'9' * 40}…' is not a decision's number")],
)
def test_a_decisions_link_with_an_unusable_number_shows_the_newest_with_a_note(store, monkeypatch, asked, says):
    records.approve(store, LINK, title="2025/26", approved_by="Chair")
    app = open_page(store, monkeypatch, "decisions", d=asked)
    assert any(says in w and "showing the newest" in w for w in _warnings(app)), _warnings(app)
    assert app.selectbox(key="decision_pick").value == 1


def test_a_comparison_link_with_an_unusable_number_compares_the_rest_with_a_note(store, monkeypatch):
    records.save_scenario(store, "Ten thousand", LINK, "Chair")
    app = open_page(store, monkeypatch, "scenarios", compare="1,²")
    assert any("'²' is not a scenario's number" in w and "comparing the rest" in w for w in _warnings(app)), _warnings(app)
    assert app.multiselect(key="compare_pick").value == [1]
