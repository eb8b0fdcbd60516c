"""One rule for the text a person types (pipelines/base/free_text.py): names, titles, notes, scenario
and partnership names are trimmed, refused with a line naming the field when they hold control
or invisible characters, and shown as plain text on the terminal and the pages."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from conftest import SMALL
from storecheck import file_digest
from test_dashboard import OFFICER, open_page  # noqa: F401 - fixtures

from dashboard.formatting import plain
from pipelines.base import free_text
from pipelines.base.free_text import FreeTextRefused
from pipelines.cli.main import main
from pipelines.ingest.load import Upload, load
from pipelines.outputs import records
from pipelines.rules import plan

LINK = {"total": "10000", "pending": "1", "asof": "2025-09-01"}
APPROVE = ["approve", "--total", "10000", "--include-pending", "--as-of", "2025-09-01"]
FORGED = "A\x1b[31m\rERROR: forged line\nsecond"
INVISIBLE = "\u200b\u200b\u200b"
IMAGE_TITLE = "Budget ![p](http://127.0.0.2:9/pixel.png)"


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (INVISIBLE, "say who approves the decision"),
        ("  ", "say who approves the decision"),
        (FORGED, "the approver's name holds a control character (\\x1b, U+001B)"),
        ("Jo\nBloggs", "the approver's name holds a control character (\\n, U+000A)"),
        ("Jo\tBloggs", "the approver's name holds a control character (\\t, U+0009)"),
        ("Jo\u200bBloggs", "the approver's name holds an invisible character (\\u200b, U+200B)"),
        ("Jo\u202eBloggs", "the approver's name holds an invisible character (\\u202e, U+202E)"),
        ("Jo\u2028Bloggs", "the approver's name holds a line or paragraph separator (\\u2028, U+2028)"),
        ("Jo\u3164Bloggs", "the approver's name holds an invisible character (\\u3164, U+3164)"),
        ("\u2800\u2800", "the approver's name holds no letter or digit"),
        ("x" * (free_text.NAME_LENGTH + 1), f"longer than {free_text.NAME_LENGTH} characters"),
        ("Jo\udcff", "bytes that are not text"),
    ],
)
def test_the_rule_refuses_what_a_reader_cannot_see_naming_the_field(typed, says):
    with pytest.raises(FreeTextRefused) as refused:
        free_text.clean(typed, free_text.APPROVER)
    assert says in str(refused.value)
    assert "\n" not in str(refused.value) and "\x1b" not in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Jo Bloggs\u200b ", "Jo Bloggs"),  # invisible at the edges: dropped, as in a loaded cell
        ("\ufeffofficer@council.example\n", "officer@council.example"),
        ("Ōrmiston — St Mary's (2025/26)", "Ōrmiston — St Mary's (2025/26)"),
        (IMAGE_TITLE, IMAGE_TITLE),  # Markdown is text: kept, and shown as text
        ("=HYPERLINK(1)", "=HYPERLINK(1)"),  # spreadsheets are guarded where files are written
        ("x" * free_text.NAME_LENGTH, "x" * free_text.NAME_LENGTH),
    ],
)
def test_the_rule_keeps_ordinary_text_trimmed(typed, kept):
    assert free_text.clean(typed, free_text.APPROVER) == kept


def test_an_optional_field_left_blank_is_none_and_terminal_text_is_escaped():
    assert free_text.clean(INVISIBLE, free_text.DECISION_NOTE, required=False) is None
    assert free_text.for_terminal(FORGED) == "A\\x1b[31m\\rERROR: forged line\\nsecond"
    assert free_text.for_terminal("Jo\u200b Bloggs\udcff") == "Jo\\u200b Bloggs\\udcff"
    assert free_text.for_terminal("St Mary's — Gorleston") == "St Mary's — Gorleston"


# --- every entry point refuses with one line naming the field ----------------------------------


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\S+Z (DEBUG|INFO|WARNING|ERROR) ")  # the journal's lines, not the message


def _one_line_naming(err: str, field: str) -> None:
    lines = [line for line in err.splitlines() if line.strip() and not LOG_LINE.match(line)]
    assert len(lines) == 1, err
    assert field in lines[0] and "\x1b" not in err and "\r" not in err


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--by", INVISIBLE], "say who approves the decision"),
        (["--by", FORGED], "the approver's name holds a control character"),
        (["--by", "Jo", "--title", "Budget\nsecond line"], "the decision title holds a control character"),
        (["--by", "Jo", "--note", "minute 4\x1b[2K"], "the decision note holds a control character"),
        (["--by", "Jo", "--title", "t" * (free_text.TITLE_LENGTH + 1)], "the decision title is longer than"),
    ],
)
def test_approve_refuses_a_typed_field_and_records_nothing(store, capsys, flags, field):
    before = file_digest(store)
    assert main([*APPROVE, *flags, "--db", str(store)]) == 2
    _one_line_naming(capsys.readouterr().err, field)
    assert file_digest(store) == before


def test_a_title_made_from_long_settings_is_shortened_not_refused(store, capsys, monkeypatch):
    """A title the tool writes itself (the settings in words: many partnerships treated as
    accredited make a long one) is cut to the field's length, not refused."""
    from pipelines.rules import links

    monkeypatch.setattr(links, "summary", lambda chosen: "£10,000 pot; " + "treated as accredited: P1; " * 20)
    assert main([*APPROVE, "--by", "Jo", "--db", str(store)]) == 0
    title = capsys.readouterr().out.splitlines()[0].removeprefix("approved decision 1: ")
    assert len(title) == free_text.TITLE_LENGTH and title.endswith("…")


def test_plan_load_and_restore_refuse_a_bad_by(store, tmp_path, capsys):
    plan_csv = tmp_path / "plan.csv"
    plan_csv.write_bytes(plan.changes_csv((plan.PlanChange("add", "P2", 100006),)))
    before = file_digest(store)
    argv = ["plan", "--changes", str(plan_csv), "--as-of", "2025-09-01", "--load", "--by", FORGED, "--db", str(store)]
    assert main(argv) == 2
    _one_line_naming(capsys.readouterr().err, "the name of who approves the plan (--by) holds a control character")
    assert main(["restore", str(tmp_path / "any.duckdb"), "--by", "Ops\u200bteam", "--db", str(store)]) == 2
    _one_line_naming(capsys.readouterr().err, "the name of who restores (--by) holds")
    assert file_digest(store) == before


def test_a_plans_partnership_name_with_a_control_character_is_refused_at_its_row(store, tmp_path, capsys):
    plan_csv = tmp_path / "plan.csv"
    name = "East\x1b[8m hidden"
    plan_csv.write_text(
        f"change,partnership_code,member_id,role,partnership_name,into_code\ncreate,P3,,,{name},\nadd,P3,100006,,,\n",
        encoding="utf-8",
    )
    assert main(["plan", "--changes", str(plan_csv), "--as-of", "2025-09-01", "--db", str(store)]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "partnership_name" in err and "holds a control character (\\x1b, U+001B)" in err
    assert "\x1b" not in err
    link_changes, problems = plan.from_link('[["rename","P1",null,null,"North\\u2028Partnership"]]')
    assert link_changes == () and "line or paragraph separator" in problems[0]
    assert plan.PlanChange("rename", "P1", partnership_name=" North\u200b ").partnership_name == "North"


def test_scenario_names_savers_and_accreditation_notes_follow_the_rule(store):
    with pytest.raises(FreeTextRefused, match="the scenario name holds a control character"):
        records.save_scenario(store, "Plan\x1b[31m", LINK, "Chair")
    with pytest.raises(FreeTextRefused, match="say who is saving the scenario"):
        records.save_scenario(store, "Plan", LINK, INVISIBLE)
    from pipelines.ingest.load import accreditation_upload

    with pytest.raises(FreeTextRefused, match="the accreditation notes holds a control character"):
        accreditation_upload("P1", "accredited", dt.date(2025, 9, 1), None, "ok\rforged", OFFICER)


# --- shown as text: the terminal ------------------------------------------------------------------


def test_decisions_and_audit_show_a_stored_control_character_escaped(store, capsys):
    """A name kept by an earlier release, before the rule, still cannot forge a terminal line."""
    records.approve(store, LINK, title="Budget", approved_by="Jo", note="minute 4")
    con = duckdb.connect(str(store))
    con.execute("UPDATE decisions SET approved_by = ?, title = ?, note = ?", [FORGED, FORGED, FORGED])
    con.execute("UPDATE audit_log SET actor = ?, detail = ? WHERE action = 'approve'", [FORGED, FORGED])
    con.close()
    capsys.readouterr()
    assert main(["decisions", "--db", str(store)]) == 0
    listed = capsys.readouterr().out
    assert main(["decisions", "1", "--db", str(store)]) == 0
    one = capsys.readouterr().out
    main(["audit", "--db", str(store)])  # the changed entry is reported; the listing is what matters here
    audit = capsys.readouterr().out
    for out in (listed, one, audit):
        assert "\x1b" not in out and "\r" not in out and "forged line\nsecond" not in out
        assert "A\\x1b[31m\\rERROR: forged line\\nsecond"[:30] in out
    assert not any(line.startswith("ERROR: forged") for line in (listed + one + audit).splitlines())


# --- shown as text: the pages ------------------------------------------------------------------------


def test_a_markdown_title_is_shown_as_its_characters_on_the_decisions_page(store, monkeypatch, tmp_path):
    name = "**North** ![x](http://127.0.0.2:9/x.png)"  # a name from a roster file: st.table reads cells as Markdown
    roster = tmp_path / "roster.csv"
    roster.write_text((SMALL / "roster.csv").read_text(encoding="utf-8").replace("North Partnership", name), encoding="utf-8")
    load(Upload.from_path("roster", roster), store)
    records.approve(store, LINK, title=IMAGE_TITLE, approved_by=OFFICER)
    page = open_page(store, monkeypatch, "decisions", d="1")
    assert page.header[0].value == f"Decision 1: {plain(IMAGE_TITLE)}"  # escaped: Markdown shows the characters
    assert plain(name) in list(page.table[0].value["Partnership"])
    texts = [e.value for kind in ("header", "markdown", "caption", "title") for e in page.get(kind)]
    texts += [cell for table in page.table for column in table.value.columns for cell in table.value[column].astype(str)]
    assert not any("![" in str(t) for t in texts)  # nowhere given to Markdown as an image
    assert not page.get("image") and not page.exception


def test_no_page_hands_a_table_to_markdown_unescaped():
    """st.table reads every cell as Markdown: tables are drawn through tables.plain_table."""
    from pathlib import Path

    dashboard = Path(__file__).parent.parent / "dashboard"
    direct = [p.name for p in dashboard.rglob("*.py") if "st.table(" in p.read_text(encoding="utf-8") and p.name != "tables.py"]
    assert direct == []
