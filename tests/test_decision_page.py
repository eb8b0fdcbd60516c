"""A decision's page says what its data was when it was approved (from its own frozen workbook,
not the store's data now)."""

from __future__ import annotations

import io

import xlsxwriter
from test_dashboard import AS_OF, open_page

from pipelines import exports, records
from pipelines.load import Upload, load

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
