"""A store written by the previous release opens with this one and keeps everything.

tests/fixtures/store_a5555f3.duckdb.gz was written by release a5555f3's own code (the script
beside it rebuilds it): the default data, a census file loaded since, a saved scenario, an
approved decision of £500,000 and the audit entries of all of them. Opening a copy the way the
command line and the dashboard do migrates it forward; nothing it held may be lost or changed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from storecheck import table_checksums

from pipelines.cli.main import main
from pipelines.datasets import build_default
from pipelines.rules.allocate import AllocationSettings, allocate, data_version
from pipelines.store import audit_chain, db

BEFORE_VERSIONS = 0  # a5555f3 recorded no schema version


def _rows(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """What a council would miss if it were lost: every record row, every data row's count."""
    return {
        "counts": _rows(
            path,
            "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM partnerships), "
            "(SELECT count(*) FROM memberships), (SELECT count(*) FROM census_rolls), "
            "(SELECT count(*) FROM load_log)",
        ),
        "scenarios": _rows(path, "SELECT scenario_id, name, query_json, saved_by, saved_at FROM scenarios ORDER BY 1"),
        "decisions": _rows(
            path,
            "SELECT decision_id, title, scenario_name, query_json, settings_json, files_json, data_version, "
            "total, census_date, as_of, approved_by, approved_at, csv_file_name, csv_bytes, csv_sha256, "
            "xlsx_file_name, xlsx_bytes, xlsx_sha256, note, top_slice FROM decisions ORDER BY 1",
        ),
        "lines": _rows(
            path,
            "SELECT decision_id, partnership_code, partnership_name, funded, funding_reason, year10, "
            "share_percent, amount, days_per_week, fte, previous_amount FROM decision_lines ORDER BY 1, 2",
        ),
        # The entries' words; their hashes change once, when migration 003 seals them with the key.
        "audit": _rows(path, "SELECT seq, recorded_at, actor, action, subject, detail FROM audit_log ORDER BY seq"),
        "hashes": _rows(path, "SELECT seq, prev_hash, entry_hash FROM audit_log ORDER BY seq"),
        "loads": _rows(
            path, "SELECT load_id, file_name, sha256, kind, layout, rows, warnings, loaded_at FROM load_log ORDER BY 1"
        ),
    }


def test_the_fixture_is_a_store_of_the_previous_release(previous):
    con = duckdb.connect(str(previous), read_only=True)
    try:
        assert db.store_version(con) == BEFORE_VERSIONS
    finally:
        con.close()
    assert not db.sql_is_current(previous)
    before = _snapshot(previous)
    assert before["counts"] == [(93, 11, 81, 64, 8)]
    assert [(s[1], s[3]) for s in before["scenarios"]] == [("Half a million, pending funded", "Officer")]
    assert [(d[1], d[7], d[18]) for d in before["decisions"]] == [
        ("Allocation 2026/27", Decimal("500000.00"), "Strategy Group minute 12")
    ]
    assert sum(line[7] for line in before["lines"]) == Decimal("500000.00")
    assert [a[3] for a in before["audit"]][-2:] == ["scenario_save", "approve"]


def test_the_command_line_upgrades_the_previous_release_store_and_keeps_everything(previous, capsys):
    before = _snapshot(previous)
    assert main(["upgrade", "--db", str(previous)]) == 0
    out, err = capsys.readouterr()
    assert "brought up to date" in out + err
    assert main(["audit", "--db", str(previous)]) == 0
    out, err = capsys.readouterr()
    assert f"audit log intact: {len(before['audit']) + 1} entries, keyed (HMAC-SHA256" in out
    assert "the lines and frozen files of all 1 decisions match" in out

    after = _snapshot(previous)
    for part in ("counts", "scenarios", "decisions", "lines", "loads"):
        assert after[part] == before[part], part
    assert after["audit"][:-1] == before["audit"]  # every entry's words and time as they were
    upgrade = after["audit"][-1]
    assert upgrade[3] == "upgrade" and after["hashes"][-1][1] == after["hashes"][-2][2]  # chained on to the last
    assert f"schema version 0 to {db.current_schema_version()}" in upgrade[5]

    con = db.connect_read_only(previous)
    try:
        assert db.store_version(con) == db.current_schema_version()
        assert all(intact for _, intact in con.execute(db.read_sql("reports/audit_verification.sql")).fetchall())
        assert audit_chain.verify(con).intact
        # The old audit tables are kept, unchanged, beside the rebuilt ones (migrations 002 and 003),
        # and each re-sealed entry names the unkeyed hash it had.
        for kept_table in ("audit_log_before_002", "audit_log_before_003"):
            kept = con.execute(f"SELECT seq, entry_hash FROM {kept_table} ORDER BY seq").fetchall()
            assert kept == [(h[0], h[2]) for h in before["hashes"]], kept_table
        evidence = [json.loads(e) for (e,) in con.execute("SELECT evidence FROM audit_log ORDER BY seq").fetchall()]
        assert [e["sha256_before_003"] for e in evidence[:-1]] == [h[2] for h in before["hashes"]]
        # The upgrade's own entry: the old chain checked out by its own rule, and decision 1 sealed as it stood.
        sealed = evidence[-1]
        assert sealed["resealed_entries"] == len(before["audit"])
        assert sealed["broken_before_seal"] == [] and sealed["unrecorded_before_seal"] == []
        assert sealed["decision_seals"]["1"]["csv_sha256"] == before["decisions"][0][14]
        assert con.execute("SELECT count(*) FROM census_fsm").fetchall() == [(0,)]  # migration 004: no FSM figures yet
        frame = allocate(con, AllocationSettings(total=Decimal(500000)))
        assert frame["amount"].sum() == Decimal(500000)
        assert frame.height == 11
        # The decision still names the data it was made on: the upgrade loaded nothing.
        assert data_version(con) == before["decisions"][0][6]
    finally:
        con.close()
    assert db.sql_is_current(previous)
    assert not db.bring_sql_up_to_date(previous)  # nothing to do the second time
    assert main(["upgrade", "--db", str(previous)]) == 0
    assert "already up to date" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["audit"], ["allocate", "--total", "500000"], ["decisions"], ["build"]], ids=lambda a: a[0])
def test_routine_use_never_seals_an_old_log_and_names_the_upgrade(previous, capsys, argv):
    """Sealing takes the log as it stands, so only the upgrade command does it: otherwise a sealed
    store made to look older (schema record cut back, log re-hashed by the old rule) would be
    sealed again, forgeries and all, by the key holder's next routine command."""
    before = previous.read_bytes()
    assert main([*argv, "--db", str(previous)]) == 2
    err = capsys.readouterr().err
    assert "from before the keyed seal" in err and f"upgrade --db {previous}" in err and "tampered with" in err
    assert previous.read_bytes() == before


def test_the_upgraded_store_takes_new_records_and_its_old_decision_reads_back_exactly(previous, tmp_path, capsys):
    before = _snapshot(previous)
    assert main(["upgrade", "--db", str(previous)]) == 0
    out = tmp_path / "decision-1.csv"
    assert main(["decisions", "1", "--out", str(out), "--db", str(previous)]) == 0
    assert out.read_bytes() == before["decisions"][0][13]  # the frozen bytes, as approved
    assert (
        main(
            [
                "approve",
                "--total",
                "500000",
                "--by",
                "Chair",
                "--title",
                "After the upgrade",
                "--note",
                "minute 3",
                "--db",
                str(previous),
            ]
        )
        == 0
    )
    assert main(["audit", "--db", str(previous)]) == 0
    assert "audit log intact" in capsys.readouterr().out
    assert _rows(previous, "SELECT decision_id, title, note FROM decisions ORDER BY 1") == [
        (1, "Allocation 2026/27", "Strategy Group minute 12"),
        (2, "After the upgrade", "minute 3"),
    ]


def test_the_dashboard_start_names_the_upgrade_then_opens_the_upgraded_store(previous):
    with pytest.raises(db.StoreNeedsSealing, match="upgrade --db"):
        build_default.ensure_store(previous)
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    build_default.ensure_store(previous)
    assert db.sql_is_current(previous)
    assert _rows(previous, "SELECT max(version) FROM schema_version") == [(db.current_schema_version(),)]


def test_a_rebuild_carries_the_previous_release_records_over_by_name(previous):
    before = _snapshot(previous)
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    build_default.build(previous)
    after = _snapshot(previous)
    for part in ("scenarios", "decisions", "lines"):
        assert after[part] == before[part], part
    assert after["audit"][: len(before["audit"])] == before["audit"]
    # The old log is sealed with the key on the way (the upgrade says so), then the rebuild is recorded.
    assert [a[3] for a in after["audit"][len(before["audit"]) :]][:2] == ["upgrade", "build"]
    con = db.connect_read_only(previous)
    try:
        assert audit_chain.verify(con).intact
    finally:
        con.close()


def test_a_failed_migration_leaves_the_store_as_it_was(previous, tmp_path, monkeypatch):
    (tmp_path / "migrations").mkdir()
    broken = tmp_path / "migrations" / f"{db.current_schema_version() + 1:03d}_broken.sql"
    broken.write_text("ALTER TABLE decisions ADD COLUMN IF NOT EXISTS reviewed BOOLEAN;\nSELECT * FROM no_such_table;\n")
    real = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [*real, (len(real) + 1, broken)])
    before = previous.read_bytes()
    with pytest.raises(duckdb.CatalogException):
        db.bring_sql_up_to_date(previous, seal_legacy=True)
    assert previous.read_bytes() == before
    assert list(previous.parent.glob("store.duckdb.*.tmp*")) == []  # no copy left behind


FSM_MIGRATION = 4  # 004_census_fsm


def test_a_store_from_before_the_fsm_figures_gains_their_table_and_keeps_everything(store, tmp_path, capsys):
    """The release before FSM figures wrote schema version 3 without census_fsm: its store is the
    small store as this release makes it, less what migration 004 brings."""
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE census_fsm")
    con.execute("DELETE FROM schema_version WHERE version >= ?", [FSM_MIGRATION])
    con.close()
    before = table_checksums(store)
    assert main(["upgrade", "--db", str(store)]) == 0
    assert f"migrations run: {db.migrations()[FSM_MIGRATION - 1][1].stem}" in capsys.readouterr().err
    after = table_checksums(store)
    for table in ("audit_log", "schema_version", "store_sql"):  # each records the upgrade
        before.pop(table), after.pop(table)
    assert after.pop("census_fsm")[0] == 0
    assert after == before
    assert _rows(store, "SELECT max(version) FROM schema_version") == [(db.current_schema_version(),)]
    detail = _rows(store, "SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    assert detail[0] == "upgrade" and f"schema version {FSM_MIGRATION - 1} to" in detail[1] and "004_census_fsm" in detail[1]
    census = tmp_path / "census.csv"
    census.write_text("urn,census_date,year_10,fsm_eligible\n100001,2025-01-16,140,21\n")
    assert main(["load", "census", str(census), "--db", str(store)]) == 0
    assert _rows(store, "SELECT urn, fsm_eligible FROM census_fsm") == [(100001, 21)]


def test_a_store_written_by_a_newer_release_is_refused_never_downgraded(store, tmp_path, capsys):
    con = duckdb.connect(str(store))
    con.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, 'from_the_future', now())",
        {"v": db.current_schema_version() + 1},
    )
    con.close()
    before = store.read_bytes()
    census = tmp_path / "census.csv"
    census.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,140\n")
    for argv in (
        ["allocate", "--total", "10000"],
        ["load", "census", str(census)],
        ["build"],
        ["approve", "--total", "10000", "--by", "Chair", "--include-pending"],
    ):
        assert main([*argv, "--db", str(store)]) == 2, argv
        errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "written by a newer release" in errors[0] and "upgrade the tool" in errors[0], argv
        assert store.read_bytes() == before, argv


def test_migrations_are_numbered_without_gaps_and_leave_a_store_of_todays_shape_as_it_is(tmp_path):
    numbers = [number for number, _ in db.migrations()]
    assert numbers == list(range(1, db.current_schema_version() + 1))
    fresh = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(fresh))
    try:
        db.apply_sql(con)
        shape = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE table_name NOT LIKE "
            "'audit_log_before_%' ORDER BY ALL"
        ).fetchall()
        con.begin()
        for _, file in db.migrations():  # the rule apply_sql relies on for tables it has just created
            con.execute(file.read_text(encoding="utf-8"))
        con.commit()
        again = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE table_name NOT LIKE "
            "'audit_log_before_%' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert again == shape
