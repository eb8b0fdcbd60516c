"""Largest remainder's Alabama paradox (a bigger pot can give one partnership one unit less) is
said wherever people read the rounding rule, not only in the README: the About sheet of a
workbook (a decision's too), a decision's page and print, the meeting pack, and the Allocation
page with its rounding unit's help. The sentence is declared once (exports.ALABAMA_PARADOX)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
from pypdf import PdfReader
from scenario import AS_OF
from test_dashboard import open_page

from pipelines.outputs import exports, meeting_pack, records
from pipelines.rules.allocate import AllocationSettings

ROOT = Path(__file__).resolve().parent.parent


def _unescaped(text: str) -> str:
    return text.replace("\\", "")


def test_the_paradox_is_worded_in_one_place_of_the_product():
    # Every page, file and print takes the sentence from exports; none words it again.
    wording = [
        path.relative_to(ROOT).as_posix()
        for folder in ("pipelines", "dashboard", "sql")
        for path in sorted((ROOT / folder).rglob("*.*"))
        if path.suffix in (".py", ".sql") and "alabama paradox" in path.read_text(encoding="utf-8").lower()
    ]
    assert wording == ["pipelines/outputs/exports.py"]
    assert exports.ALABAMA_PARADOX in exports.ROUNDING_RULE
    # The sentence's own example, checked: Year 10 of 6, 6 and 2 by largest remainder.
    assert "£4, £4 and £2 of £10 but £5, £5 and £1 of £11" in exports.ALABAMA_PARADOX


def test_a_decisions_page_print_and_workbook_say_it(store, monkeypatch):
    approval = records.approve(
        store, {"total": "10000", "pending": "1", "asof": AS_OF.isoformat()}, title="T", approved_by="Chair"
    )
    app = open_page(store, monkeypatch, "decisions", d=str(approval.decision_id))
    assert any(exports.ALABAMA_PARADOX in _unescaped(c.value) for c in app.caption)
    with duckdb.connect(str(store), read_only=True) as con:
        (xlsx,) = con.execute("SELECT xlsx_bytes FROM decisions WHERE decision_id = ?", [approval.decision_id]).fetchone()
    about = {row[0].value: row[1].value for row in openpyxl.load_workbook(io.BytesIO(xlsx))["About"].iter_rows()}
    assert exports.ALABAMA_PARADOX in about["Rounding rule"]


def test_the_allocation_page_says_it_beside_the_amounts_and_in_the_rounding_units_help(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    assert any(exports.ALABAMA_PARADOX in _unescaped(c.value) for c in app.caption)
    unit = next(r for r in app.radio if r.label == "Round amounts to")
    assert exports.ALABAMA_PARADOX in unit.help


def test_the_meeting_packs_rounding_rule_says_it(store):
    chosen = AllocationSettings(total=Decimal("10000"), as_of=dt.date(2025, 9, 1), include_pending=True)
    with duckdb.connect(str(store), read_only=True) as con:
        pdf = meeting_pack.meeting_pack_pdf(con, chosen, produced=dt.datetime(2026, 1, 20, 9, 30))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    rule = text.split("Rounding rule", 1)[1]
    assert re.sub(r"\s+", " ", exports.ALABAMA_PARADOX) in rule
