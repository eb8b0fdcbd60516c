"""A decision's page says what its data was when it was approved (from its own frozen workbook,
not the store's data now) and, when the sidebar's what-if is another scenario, that the what-if
is not the decision."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from test_dashboard import AS_OF, open_page

from dashboard import compare
from pipelines.ingest.load import Upload, load
from pipelines.outputs import exports, records
from pipelines.rules.allocate import AllocationSettings

LINK = {"total": "10000", "pending": "1", "asof": AS_OF}
STAND_IN = (
    "Made on stand-in data. Not every figure here is the council's own: previous 2008/9 amounts (synthetic). "
    "Check these inputs before paying from these amounts."
)


def _words(elements) -> list[str]:
    """Text as shown: Markdown's escapes taken off."""
    return [e.value.replace("\\", "") for e in elements]


def _unlabelled_previous_amounts(store, tmp_path) -> None:
    """Replace the small data's "test figure" previous amounts (synthetic) with a council's own file."""
    previous = tmp_path / "previous_allocation.csv"
    previous.write_text("partnership_code,amount\nP1,1000.00\nP2,2000.50\n")
    load(Upload.from_path("previous_allocation", previous), store)


def test_the_stand_in_warning_is_the_decisions_not_todays(store, monkeypatch, tmp_path):
    approval = records.approve(store, LINK, title="On the test data", approved_by="Chair")
    page = open_page(store, monkeypatch, "decisions", d=str(approval.decision_id), **LINK)
    assert STAND_IN in _words(page.warning)
    status = next(c for c in _words(page.caption) if c.startswith("Data status when approved: "))
    assert "previous 2008/9 amounts: synthetic (2 rows)" in status
    # The council's own previous amounts loaded since: today's data has no stand-in (the Allocation
    # page says nothing), yet the decision was made on the synthetic ones and still says so.
    _unlabelled_previous_amounts(store, tmp_path)
    allocation = open_page(store, monkeypatch, "allocation", **LINK)
    assert not [w for w in _words(allocation.warning) if "Not every figure here" in w]
    page = open_page(store, monkeypatch, "decisions", d=str(approval.decision_id), **LINK)
    assert STAND_IN in _words(page.warning)
    assert status in _words(page.caption)
    # A decision made on the council's own data carries no warning, whatever is loaded later.
    later = records.approve(store, LINK, title="On the council's data", approved_by="Chair")
    page = open_page(store, monkeypatch, "decisions", d=str(later.decision_id), **LINK)
    assert not [w for w in _words(page.warning) if "stand-in" in w]
    assert any("previous 2008/9 amounts: unlabelled (2 rows)" in c for c in _words(page.caption))


def test_a_workbook_from_before_the_status_was_written_says_nothing_in_its_place():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Allocation")
    about = book.add_worksheet("About")
    about.write_string(0, 0, "14-19 partnership allocation")
    about.write_string(1, 0, "Produced")
    about.write_string(1, 1, "2024-01-01T09:00:00Z")
    book.close()
    assert exports.frozen_status(buffer.getvalue()) == exports.FrozenStatus(line=None, warning=None)


def test_the_page_says_when_the_sidebars_what_if_is_not_the_decision(store, monkeypatch):
    approval = records.approve(store, LINK, title="Ten thousand", approved_by="Chair")
    d = str(approval.decision_id)
    same = open_page(store, monkeypatch, "decisions", d=d, **LINK)
    assert not _words(same.info)
    other_pot = open_page(store, monkeypatch, "decisions", d=d, **{**LINK, "total": "12000"})
    assert _words(other_pot.info) == ["This decision shared £10,000; the sidebar's what-if is £12,000 and is not this decision."]
    other_lever = open_page(store, monkeypatch, "decisions", d=d, **{**LINK, "loss": "10"})
    assert _words(other_lever.info) == [
        "This decision shared £10,000, as the sidebar's what-if does, but the what-if is not this decision. It also differs "
        "in: Transition protection against the 2008/9 amounts: none (no floor, no cap) here, no funded partnership below "
        "90% of its previous amount; no cap in the sidebar."
    ]
    # The figures on the page stay the decision's.
    assert any("Total £10,000.00** equals the approved pot £10,000.00" in m.value for m in other_pot.markdown)


def test_a_census_or_day_the_sidebar_leaves_to_the_default_is_no_difference():
    decided = AllocationSettings(total=Decimal(450000), census_date=dt.date(2018, 1, 18), as_of=dt.date(2018, 9, 1))
    assert compare.sidebar_differences(decided, AllocationSettings(total=Decimal(450000))) == []
    named = AllocationSettings(total=Decimal(450000), census_date=dt.date(2019, 1, 17))
    assert compare.sidebar_differences(decided, named) == [("Census date", "2018-01-18", "2019-01-17")]
