"""The audit key's traps: a write never starts a second key in the middle of a log (a missing or
misspelt key file, or ``sudo``, which drops the variable), a reader never makes a key, a store
from a release before the keyed log is sealed only with a key that exists, and a restore takes
only a backup whose log verifies under the key in use (or, when told to, says so in the log)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import SMALL, TEST_AUDIT_KEY
from test_audit_tamper import _write
from test_environment_failures import held_open  # noqa: F401 - a fixture

from pipelines.cli.main import main
from pipelines.outputs import records
from pipelines.store import audit_chain, audit_key, backup, db


def _census_file(tmp_path: Path, store: Path) -> Path:
    con = duckdb.connect(str(store), read_only=True)
    urn = con.execute("SELECT urn FROM census_rolls WHERE nc_year = 10 ORDER BY urn LIMIT 1").fetchone()[0]
    date = con.execute("SELECT max(census_date) FROM census_rolls").fetchone()[0]
    con.close()
    path = tmp_path / "census.csv"
    path.write_text(f"urn,census_date,nc_year,headcount,source\n{urn},{date},10,77,revised return\n")
    return path


def _entries(store: Path) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute("SELECT seq, key_id, entry_hash FROM audit_log ORDER BY seq").fetchall()
    finally:
        con.close()


def _without_key(monkeypatch, key_file: Path) -> None:
    monkeypatch.delenv("PARTNERSHIP_AUDIT_KEY")
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY_FILE", str(key_file))


@pytest.mark.parametrize(
    "command",
    [
        lambda store, tmp: ["load", "census", str(_census_file(tmp, store))],
        lambda store, tmp: ["approve", "--total", "10000", "--include-pending", "--by", "Chair"],
        lambda store, tmp: ["build"],
    ],
    ids=["load", "approve", "build"],
)
def test_a_write_with_a_missing_key_file_is_refused_and_makes_no_key(store, tmp_path, monkeypatch, capsys, command):
    argv = command(store, tmp_path)
    absent = tmp_path / "path" / "that" / "does-not-exist.key"
    _without_key(monkeypatch, absent)
    before, size = _entries(store), store.read_bytes()
    code = main([*argv, "--db", str(store)])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(absent) in lines[0] and "PARTNERSHIP_AUDIT_KEY_FILE" in lines[0]
    assert "nothing was changed" in lines[0]
    assert not absent.exists() and not absent.parent.exists()
    assert _entries(store) == before and store.read_bytes() == size


def test_a_write_with_another_key_is_refused(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "a-key-of-another-installation-0000")
    before = _entries(store)
    code = main(["load", "census", str(_census_file(tmp_path, store)), "--db", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and "does not verify under the audit key" in err and "nothing was changed" in err
    assert _entries(store) == before


def test_a_write_on_a_log_edited_behind_the_tools_back_is_refused(store, tmp_path, capsys):
    con = duckdb.connect(str(store))
    con.execute("UPDATE audit_log SET actor = 'Mallory' WHERE seq = 2")
    con.close()
    code = main(["load", "census", str(_census_file(tmp_path, store)), "--db", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and "the keyed chain breaks at entry 2" in err


def test_a_new_store_makes_its_key_where_the_variable_points(tmp_path, monkeypatch):
    key_file = tmp_path / "keys" / "audit.key"
    _without_key(monkeypatch, key_file)
    store = tmp_path / "new.duckdb"
    assert main(["build", "--db", str(store), "--data", str(SMALL)]) == 0
    assert key_file.is_file()
    key = audit_key.load_key()
    assert key is not None and {row[1] for row in _entries(store)} == {key.key_id}


def test_reading_never_makes_a_key(store, tmp_path, monkeypatch, capsys):
    absent = tmp_path / "absent.key"
    _without_key(monkeypatch, absent)
    assert main(["audit", "--db", str(store)]) == 2
    assert main(["decisions", "--db", str(store)]) == 0
    assert not absent.exists()


def test_an_old_store_is_not_sealed_by_an_audit_run_without_the_key(previous, tmp_path, monkeypatch, capsys):
    """The deployment guide's check after an upgrade, run where the variable was dropped: it must
    not seal the whole log under a key made on the spot."""
    absent = tmp_path / "absent.key"
    _without_key(monkeypatch, absent)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    size = previous.read_bytes()
    assert main(["audit", "--db", str(previous)]) == 2  # routine use never seals it, key or not
    assert "upgrade --db" in capsys.readouterr().err
    code = main(["upgrade", "--db", str(previous)])
    err = capsys.readouterr().err
    assert code == 2 and str(absent) in err and "python -m pipelines make-key" in err
    assert previous.read_bytes() == size and not absent.exists()
    assert not (tmp_path / "config").exists()


def test_an_old_store_is_sealed_with_a_key_made_by_the_command(previous, tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "audit.key"
    _without_key(monkeypatch, key_file)
    assert main(["make-key"]) == 0
    assert "key id" in capsys.readouterr().out
    assert main(["make-key"]) == 2  # never replaced
    assert main(["upgrade", "--db", str(previous)]) == 0
    assert main(["audit", "--db", str(previous)]) == 0
    key = audit_key.load_key()
    assert key is not None and {row[1] for row in _entries(previous)} == {key.key_id}


# --- restore ---------------------------------------------------------------------------------------


def _backup_of(store: Path, tmp_path: Path) -> Path:
    return backup.backup(store, tmp_path / "backup.duckdb").path


@pytest.fixture
def made_backup(store, tmp_path) -> Path:
    return _backup_of(store, tmp_path)


def test_a_restore_while_another_program_holds_the_store_is_refused(store, made_backup, held_open, tmp_path, capsys):  # noqa: F811
    before = store.read_bytes()
    code = main(["restore", str(made_backup), "--by", "Officer", "--db", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and f"process {held_open.pid}) has the store open for writing" in err
    assert store.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def _reseal_backup(made: Path, statement: str) -> None:
    con = duckdb.connect(str(made))
    con.execute(statement)
    con.close()
    (made.with_name(made.name + ".sha256")).write_text(f"{backup.sha256_of(made)}  {made.name}\n")


@pytest.mark.parametrize(
    "damage, said",
    [
        (None, "carry another key's id"),
        ("UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = 3", "the keyed chain breaks at entry 3"),
    ],
    ids=["another key", "edited log"],
)
def test_a_backup_whose_log_does_not_verify_is_refused_unless_accepted(store, tmp_path, monkeypatch, capsys, damage, said):
    made = _backup_of(store, tmp_path)
    if damage:
        _reseal_backup(made, damage)
    else:
        monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "a-key-of-another-installation-0000")
    before = store.read_bytes()
    code = main(["restore", str(made), "--by", "Officer", "--db", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and said in err and "--accept-unverified" in err and "nothing was changed" in err
    assert store.read_bytes() == before
    code = main(["restore", str(made), "--by", "Officer", "--accept-unverified", "--db", str(store)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    code = main(["audit", "--last", "1", "--db", str(store)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "NOT verified: entries 1-" in out and "taken on by Officer" in out
    # Entries taken on unverified are vouched for as they were: a later edit is still found.
    con = duckdb.connect(str(store))
    con.execute("UPDATE audit_log SET actor = 'Mallory' WHERE seq = 1")
    con.close()
    assert main(["audit", "--db", str(store)]) == 2


def test_a_backup_that_verifies_restores_with_the_key(store, tmp_path, capsys):
    made = _backup_of(store, tmp_path)
    records.save_scenario(store, "After the backup", {"total": "10000"}, "Chair")
    assert main(["restore", str(made), "--by", "Officer", "--db", str(store)]) == 0
    capsys.readouterr()
    assert main(["audit", "--db", str(store)]) == 0
    assert "NOT verified" not in capsys.readouterr().out
    assert TEST_AUDIT_KEY  # the session's key sealed both the backup and the restore


# --- forgeries found by an outside check ----------------------------------------------------------


def _approve(store: Path, total: str = "10000") -> None:
    assert (
        main(["approve", "--total", total, "--include-pending", "--as-of", "2025-09-01", "--by", "Chair", "--db", str(store)])
        == 0
    )


def _dress_as_before_the_seal(store: Path) -> None:
    """What a forger without the key can do: change the record, re-hash the log by the old unkeyed
    rule and cut the schema record back, so the store looks like one an earlier release wrote."""
    con = duckdb.connect(str(store))
    try:
        con.execute("UPDATE audit_log SET actor = 'Forger' WHERE action = 'approve'")
        con.execute("UPDATE decisions SET approved_by = 'Forger', audit_anchor_seq = NULL, audit_anchor_hash = NULL")
        prev = ""
        for seq, at, actor, action, subject, detail in con.execute(
            "SELECT seq, CAST(recorded_at AS VARCHAR), actor, action, subject, detail FROM audit_log ORDER BY seq"
        ).fetchall():
            (digest,) = con.execute(
                "SELECT sha256(concat_ws('|', ?, CAST(? AS VARCHAR), ?, ?, ?, ?, ?))",
                [prev, seq, at, actor, action, subject, detail],
            ).fetchone()
            con.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE seq = ?", [prev, digest, seq])
            prev = digest
        con.execute("DELETE FROM schema_version WHERE version >= ?", [audit_chain.KEYED_SINCE_MIGRATION])
    finally:
        con.close()


def test_a_sealed_store_dressed_as_an_old_one_is_not_sealed_again_by_routine_use(store, tmp_path, capsys):
    _approve(store)
    _dress_as_before_the_seal(store)
    before = store.read_bytes()
    for argv in (["audit"], ["decisions"], ["approve", "--total", "10000", "--include-pending", "--by", "Chair"]):
        assert main([*argv, "--db", str(store)]) == 2, argv
        err = capsys.readouterr().err
        assert "from before the keyed seal" in err and "tampered with" in err and "restore a backup" in err
    assert store.read_bytes() == before
    # Nor by a restore of it as a backup, unless told so.
    made = tmp_path / "forged.duckdb"
    shutil.copyfile(store, made)
    made.with_name(made.name + ".sha256").write_text(f"{backup.sha256_of(made)}  {made.name}\n")
    target = tmp_path / "target.duckdb"
    assert main(["restore", str(made), "--by", "Officer", "--db", str(target)]) == 2
    assert "--accept-unverified" in capsys.readouterr().err and not target.exists()


def test_a_decision_removed_with_its_entries_kept_is_found(store, capsys):
    _approve(store)
    _approve(store, "12000")
    _write(store, "DELETE FROM decision_lines WHERE decision_id = 2", "DELETE FROM decisions WHERE decision_id = 2")
    assert main(["audit", "--db", str(store)]) == 2
    assert "decision 2 is in the log (approved in entry" in capsys.readouterr().err
    # The number given again does not hide it either: the log then holds two approvals of decision 2.
    assert main(["approve", "--total", "13000", "--include-pending", "--by", "Chair", "--db", str(store)]) == 0
    capsys.readouterr()
    assert main(["audit", "--db", str(store)]) == 2
    assert "decision 2 was approved twice" in capsys.readouterr().err


def test_a_forged_restore_entry_outside_the_keyed_scheme_vouches_for_nothing(store, capsys):
    _approve(store)
    _write(store, "UPDATE audit_log SET detail = detail || ' (edited)' WHERE action = 'approve'")
    con = duckdb.connect(str(store))
    rows = con.execute(db.read_sql("reports/audit_entries.sql")).fetchall()
    last, key_id = rows[-1][0], rows[-1][8]
    taken = {"accepted_unverified": {"through_seq": last, "digest": audit_chain.entries_digest(rows), "reason": "x"}}
    con.execute(
        "INSERT INTO audit_log VALUES (?, now()::TIMESTAMP, 'J. Smith', 'restore', 'store', 'restored', ?, ?, ?, 'legacy', ?)",
        [last + 1, json.dumps(taken), rows[-1][10], key_id, "f" * 64],
    )
    con.close()
    assert main(["audit", "--db", str(store)]) == 2
    err = capsys.readouterr().err
    assert "the keyed chain breaks at entry" in err and "NOT verified: entries 1-" not in err


def test_a_write_on_a_log_with_an_entry_taken_out_of_the_keyed_scheme_is_refused(store, tmp_path, capsys):
    _write(store, "UPDATE audit_log SET hash_scheme = 'x' WHERE seq = 2")
    before = store.read_bytes()
    assert main(["load", "census", str(_census_file(tmp_path, store)), "--db", str(store)]) == 2
    err = capsys.readouterr().err
    assert "entry 2 is not sealed with the key" in err and "is empty" not in err
    assert store.read_bytes() == before


def test_a_refusal_under_another_key_does_not_call_the_log_empty(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "a-key-of-another-installation-0000")
    assert main(["load", "census", str(_census_file(tmp_path, store)), "--db", str(store)]) == 2
    err = capsys.readouterr().err
    assert "carry another key's id" in err and "is empty" not in err


def test_an_anchor_inside_entries_taken_on_unverified_matches_nothing(store, tmp_path, monkeypatch, capsys):
    made = _backup_of(store, tmp_path)
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "a-key-of-another-installation-0000")
    assert main(["restore", str(made), "--by", "Officer", "--accept-unverified", "--db", str(store)]) == 0
    con = duckdb.connect(str(store), read_only=True)
    (head,) = con.execute("SELECT entry_hash FROM audit_log WHERE seq = 1").fetchone()
    con.close()
    capsys.readouterr()
    assert main(["audit", "--anchor", f"1:{head[:16]}", "--db", str(store)]) == 2
    assert "took on unverified" in capsys.readouterr().err


@pytest.mark.parametrize("statement", ["DROP TABLE audit_log", "ALTER TABLE audit_log RENAME TO audit_log_before_002"])
def test_a_store_whose_audit_log_table_was_removed_is_refused_as_damaged(store, capsys, statement):
    _write(store, statement)
    before = store.read_bytes()
    for argv in (["audit"], ["approve", "--total", "10000", "--include-pending", "--by", "Op"]):
        assert main([*argv, "--db", str(store)]) == 2, argv
        errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "is damaged" in errors[0] and "audit_log table is missing" in errors[0]
    assert store.read_bytes() == before
