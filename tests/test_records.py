"""Scenarios, decisions and the audit log: saved and reopened exactly, frozen when approved,
downloaded byte for byte, flagged when the data moves on, and an audit trail nobody can edit."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import duckdb
import pytest
from conftest import SMALL
from storecheck import file_digest, table_checksums

from dashboard import compare
from pipelines.base import config
from pipelines.cli.main import _parser, main
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, load
from pipelines.outputs import records
from pipelines.rules import links
from pipelines.rules.allocate import AllocationRefused, AllocationSettings, allocate
from pipelines.store import audit_chain, db

LINK = {"total": "10000", "pending": "1", "asof": "2025-09-01"}


def _read(store, name: str, **params):
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.sql(db.read_sql(f"reports/{name}.sql"), params=params or None).pl()
    finally:
        con.close()


def _verdict(store) -> audit_chain.Verdict:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return audit_chain.verify(con)
    finally:
        con.close()


def _census(tmp_path, headcount: int) -> Upload:
    path = tmp_path / "census_2025_update.csv"
    path.write_text(f"urn,census_date,nc_year,headcount\n100001,2025-01-16,10,{headcount}\n")
    return Upload.from_path("census", path)


def test_a_saved_scenario_reopens_as_the_same_settings(store):
    scenario_id = records.save_scenario(store, "  Ten thousand, pending in ", LINK, "Chair")
    saved = _read(store, "scenarios").row(0, named=True)
    assert (saved["scenario_id"], saved["name"], saved["saved_by"]) == (scenario_id, "Ten thousand, pending in", "Chair")
    reopened, problems = links.from_query(json.loads(saved["query_json"]))
    assert problems == [] and reopened == links.from_query(LINK)[0]
    assert links.to_query(reopened) == LINK


def test_a_scenario_needs_a_name_and_a_saver_and_a_refusal_changes_nothing(store):
    before = file_digest(store)
    with pytest.raises(ValueError, match="name"):
        records.save_scenario(store, "   ", LINK, "Chair")
    with pytest.raises(ValueError, match="who"):
        records.save_scenario(store, "x", LINK, " ")
    assert file_digest(store) == before


def test_deleting_a_scenario_is_audited_and_unknown_ones_are_refused(store):
    scenario_id = records.save_scenario(store, "Draft", LINK, "Chair")
    records.delete_scenario(store, scenario_id, "Chair")
    assert _read(store, "scenarios").height == 0
    assert _read(store, "audit_log").row(0, named=True)["action"] == "scenario_delete"
    with pytest.raises(ValueError, match="no scenario 99"):
        records.delete_scenario(store, 99, "Chair")


def test_approval_freezes_amounts_settings_data_version_and_files(store):
    approval = records.approve(store, LINK, title="2025/26 management capacity", approved_by="officer@council.example")
    record = _read(store, "decision", decision_id=1).row(0, named=True)
    assert approval == records.Approval(1, None, record["csv_sha256"])
    lines = _read(store, "decision_lines", decision_id=1)
    assert sum(lines["amount"], Decimal(0)) == record["total"] == Decimal("10000.00")
    assert lines["amount"].to_list() == [Decimal("3750.00"), Decimal("6250.00")]
    assert str(record["as_of"]) == "2025-09-01" and str(record["census_date"]) == "2025-01-16"
    files = json.loads(record["files_json"])
    assert {f["kind"] for f in files} >= {"register", "census", "roster"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in files)
    rows = list(csv.DictReader(io.StringIO(record["csv_bytes"].decode("utf-8-sig"))))
    assert [r["Amount (£)"] for r in rows] == ["3750.00", "6250.00"]
    assert record["xlsx_bytes"].startswith(b"PK")
    assert record["status"] == "current"


def test_a_decision_downloads_the_same_bytes_after_loads_rebuilds_and_later_decisions(store, tmp_path):
    records.approve(store, LINK, title="First", approved_by="officer@council.example")
    first = _read(store, "decision", decision_id=1).row(0, named=True)
    load(_census(tmp_path, 150), store)
    records.approve(store, {**LINK, "total": "12000"}, title="Second", approved_by="officer@council.example")
    build(store, SMALL)  # the data is rebuilt from files; the records are carried over
    again = _read(store, "decision", decision_id=1).row(0, named=True)
    for field in ("csv_bytes", "xlsx_bytes", "csv_sha256", "xlsx_sha256", "csv_file_name", "approved_at"):
        assert again[field] == first[field], field
    out = tmp_path / "out.xlsx"
    assert main(["decisions", "1", "--db", str(store), "--out", str(out)]) == 0
    assert out.read_bytes() == first["xlsx_bytes"]


def test_a_new_decision_supersedes_the_old_one(store):
    records.approve(store, LINK, title="First", approved_by="officer@council.example")
    second = records.approve(store, {**LINK, "total": "20000"}, title="Second", approved_by="officer@council.example")
    assert (second.decision_id, second.superseded) == (2, 1)
    listed = {r["decision_id"]: r["status"] for r in _read(store, "decisions").iter_rows(named=True)}
    assert listed == {2: "current", 1: "superseded by decision 2"}
    actions = [r["action"] for r in _read(store, "audit_log").sort("seq").iter_rows(named=True)]
    assert actions[-3:] == ["approve", "approve", "supersede"]


def test_superseded_data_is_detected_when_a_new_census_is_loaded(store, tmp_path):
    records.approve(store, LINK, title="First", approved_by="officer@council.example")
    assert _read(store, "decision_data_changes", decision_id=1).height == 0
    load(_census(tmp_path, 150), store)
    changes = _read(store, "decision_data_changes", decision_id=1)
    assert [(r["kind"], r["file_name"], r["change"]) for r in changes.iter_rows(named=True)] == [
        ("census", "census_2025_update.csv", "loaded since the decision")
    ]
    # the frozen amounts do not move with the data
    assert _read(store, "decision_lines", decision_id=1)["amount"].to_list() == [Decimal("3750.00"), Decimal("6250.00")]


def test_a_refused_approval_records_nothing(store):
    before = table_checksums(store)
    with pytest.raises(AllocationRefused):
        records.approve(store, {**LINK, "lump": "6000"}, title="Too big", approved_by="officer@council.example")
    with pytest.raises(ValueError, match="title"):
        records.approve(store, LINK, title=" ", approved_by="officer@council.example")
    assert table_checksums(store) == before


def test_every_load_and_record_is_in_an_intact_audit_chain(store, tmp_path):
    load(_census(tmp_path, 150), store)
    records.save_scenario(store, "A", LINK, "Chair")
    records.approve(store, LINK, title="First", approved_by="officer@council.example")
    log = _read(store, "audit_log").sort("seq")
    assert log["seq"].to_list() == list(range(1, log.height + 1))
    assert [a for a in log["action"].to_list() if a != "load"][:2] == ["build", "accreditation_change"]
    assert log["action"].to_list()[-3:] == ["load", "scenario_save", "approve"]
    assert _verdict(store).intact


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = (SELECT max(seq) FROM audit_log)",
    ],
)
def test_an_audit_log_changed_behind_the_tools_back_is_detected(store, capsys, tamper):
    records.save_scenario(store, "A", LINK, "Chair")
    assert main(["audit", "--db", str(store)]) == 0
    con = duckdb.connect(str(store))
    con.execute(tamper)
    con.close()
    assert _verdict(store).tampered
    assert main(["audit", "--db", str(store)]) == 2
    assert "CHANGED outside the tool" in capsys.readouterr().err


def test_nothing_in_the_code_updates_or_deletes_the_audit_log_or_a_decision():
    """The only ways into the store are the SQL files and the Python that runs them; none of
    them may rewrite history. (Scenarios are proposals and may be deleted.)"""
    pattern = re.compile(
        r"\b(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO)\s+(audit_log|decisions|decision_lines)\b",
        re.I,
    )
    offenders = []
    for folder in ("sql", "pipelines", "dashboard"):
        for path in (config.PROJECT_ROOT / folder).rglob("*"):
            if path.suffix in (".sql", ".py") and pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path))
    assert offenders == []


def test_the_command_line_offers_no_way_to_change_records():
    commands = _parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - the parser's own table of commands
    # approve only adds a decision (a later one supersedes it); it has no way to edit one.
    # restore edits nothing either: it replaces the whole store with a checked backup, keeps the
    # store it replaced beside it, and records the restore in the restored audit log.
    assert set(commands) == {
        "build",
        "load",
        "check",
        "allocate",
        "pack",
        "gaps",
        "suggest",
        "plan",
        "approve",
        "decisions",
        "audit",
        "backup",
        "restore",
        "make-key",  # writes a new key file, never a store, and never replaces a key
        "upgrade",  # brings a store forward as any first use does; seals an old log as it stands
    }
    assert {a.dest for a in commands["upgrade"]._actions} == {"help", "db"}  # noqa: SLF001
    assert {a.dest for a in commands["make-key"]._actions} == {"help", "out"}  # noqa: SLF001
    for name in ("decisions", "audit"):
        options = {a.dest for a in commands[name]._actions}  # noqa: SLF001
        assert options <= {"help", "id", "out", "db", "last", "anchor"}  # --anchor only reads


APPROVE = ["approve", "--total", "10000", "--include-pending", "--as-of", "2025-09-01"]


def test_a_decision_is_approved_from_the_command_line_by_settings_then_by_scenario(store, capsys):
    assert main([*APPROVE, "--by", "Jo Bloggs", "--note", "Strategy Group 3 March, minute 4", "--db", str(store)]) == 0
    out = capsys.readouterr().out
    first = _read(store, "decision", decision_id=1).row(0, named=True)
    assert "approved decision 1: £10,000 pot" in out and "supersedes no earlier decision" in out
    assert f"CSV sha256 {first['csv_sha256']}" in out
    assert (first["approved_by"], first["note"], first["scenario_name"]) == (
        "Jo Bloggs",
        "Strategy Group 3 March, minute 4",
        None,
    )
    assert json.loads(first["query_json"]) == LINK  # the same settings a link or a scenario would carry
    scenario_id = records.save_scenario(store, "Pending included", LINK, "Chair")
    assert main(["approve", "--scenario", str(scenario_id), "--by", "Jo Bloggs", "--db", str(store)]) == 0
    out = capsys.readouterr().out
    second = _read(store, "decision", decision_id=2).row(0, named=True)
    assert "approved decision 2: Pending included" in out and "supersedes decision 1" in out
    assert (second["title"], second["scenario_name"], second["note"]) == ("Pending included", "Pending included", None)
    assert _read(store, "decision_lines", decision_id=2)["amount"].to_list() == [Decimal("3750.00"), Decimal("6250.00")]
    log = _read(store, "audit_log").sort("seq")
    assert log["action"].to_list()[-4:] == ["approve", "scenario_save", "approve", "supersede"]
    assert "note: Strategy Group 3 March, minute 4" in log.filter(log["subject"] == "decision 1")["detail"][0]
    assert main(["audit", "--db", str(store)]) == 0
    assert main(["decisions", "--db", str(store)]) == 0
    listed = capsys.readouterr().out
    assert "#2" in listed and "current" in listed and "superseded by decision 2" in listed
    assert main(["decisions", "1", "--db", str(store)]) == 0
    assert "note: Strategy Group 3 March, minute 4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        ([*APPROVE], 2, "--by NAME"),
        ([*APPROVE, "--by", " "], 2, "--by NAME"),
        (["approve", "--by", "Jo"], 2, "--total"),
        ([*APPROVE, "--by", "Jo", "--lump-sum", "6000"], 2, "less than the lump sums"),
        (["approve", "--scenario", "1", "--by", "Jo", "--include-pending"], 2, "leave out --include-pending"),
        (["approve", "--scenario", "99", "--by", "Jo"], 2, "there is no scenario 99"),
    ],
)
def test_a_refused_command_line_approval_leaves_the_store_file_as_it_was(store, capsys, argv, code, says):
    records.save_scenario(store, "A", LINK, "Chair")
    before = file_digest(store)
    assert main([*argv, "--db", str(store)]) == code
    assert says in capsys.readouterr().err
    assert file_digest(store) == before


def _store_before_notes(path, source_store):
    """A store as the code before decision notes wrote it: decisions without the note column."""
    old_ddl = re.sub(
        r"\n *-- Empty for decisions made before decisions carried a note.*?\n *note VARCHAR,",
        "",
        db.read_sql("schema/110_decisions.sql"),
        flags=re.S,
    )
    assert "note" not in old_ddl
    con = duckdb.connect(str(path))
    con.execute(old_ddl)
    con.execute(f"ATTACH '{source_store}' AS src (READ_ONLY)")
    con.execute("INSERT INTO decisions SELECT * EXCLUDE (note) FROM src.decisions")
    con.execute("INSERT INTO decision_lines SELECT * FROM src.decision_lines")
    con.close()


def test_decisions_from_a_store_made_before_notes_carry_over_and_take_notes_after(store, tmp_path, capsys):
    records.approve(store, LINK, title="Old", approved_by="officer@council.example")
    old = tmp_path / "old.duckdb"
    _store_before_notes(old, store)
    con = duckdb.connect(str(old))
    db.apply_sql(con, seal_legacy=True)  # what the upgrade of an old store does first: the column is added
    assert con.execute("SELECT title, note FROM decisions").fetchall() == [("Old", None)]
    con.close()
    older = tmp_path / "older.duckdb"
    _store_before_notes(older, store)
    con = duckdb.connect(str(older))
    with pytest.raises(db.StoreNeedsSealing):  # routine use never seals an old log
        db.apply_sql(con)
    db.apply_sql(con, seal_legacy=True)  # the upgrade
    con.close()
    build(older, SMALL)  # the rebuild then carries the records over into a store with the column
    assert _read(older, "decision", decision_id=1)[["title", "note"]].rows() == [("Old", None)]
    assert main([*APPROVE, "--by", "Jo", "--note", "second", "--db", str(older)]) == 0
    assert _read(older, "decision", decision_id=2)["note"].to_list() == ["second"]


def test_side_by_side_differences_are_exact(con):
    base = allocate(con, AllocationSettings(total=10000, include_pending=True, as_of=links.from_query(LINK)[0].as_of))
    more = allocate(
        con, AllocationSettings(total="10000.01", unit="0.01", include_pending=True, as_of=links.from_query(LINK)[0].as_of)
    )
    table = compare.side_by_side([("A", base), ("B", more)])
    diff = table["change B vs A: amount"].to_list()
    assert sum(diff, Decimal(0)) == Decimal("0.01")
    assert table["Code"].to_list() == ["P1", "P2"]
    long = compare.differences_long(table)
    assert long["comparison"].unique().to_list() == ["B vs A"]
    with pytest.raises(ValueError):
        compare.side_by_side([("A", base)])


@pytest.mark.parametrize("stored", ["../../escaped.csv", "/tmp/escaped.csv", "..\\..\\escaped.csv", "C:\\Users\\escaped.csv"])
def test_a_decisions_file_is_written_inside_the_folder_whatever_name_the_store_holds(store, tmp_path, capsys, stored):
    """The store is a file anyone with write access can edit: the name kept in a decision is
    not trusted to stay inside the folder given to --out; only its last component is used."""
    records.approve(store, LINK, title="First", approved_by="Chair")
    con = duckdb.connect(str(store))
    con.execute("UPDATE decisions SET csv_file_name = $1", [stored])
    con.close()
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    assert main(["decisions", "1", "--db", str(store), "--out", str(folder)]) == 0
    assert f"wrote {folder / 'escaped.csv'}" in capsys.readouterr().out
    assert [p.name for p in folder.iterdir()] == ["escaped.csv"]
    assert not (tmp_path / "escaped.csv").exists() and not (tmp_path / "a" / "escaped.csv").exists()


@pytest.mark.parametrize("stored", ["..", "", "x/..", "bad\nname.csv"])
def test_a_decisions_stored_name_that_is_no_file_name_is_refused(store, tmp_path, capsys, stored):
    records.approve(store, LINK, title="First", approved_by="Chair")
    con = duckdb.connect(str(store))
    con.execute("UPDATE decisions SET csv_file_name = $1", [stored])
    con.close()
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["decisions", "1", "--db", str(store), "--out", str(folder)]) == 2
    assert "is not a file name; nothing was written" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
