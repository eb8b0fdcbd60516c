"""The audit key's traps: a write never starts a second key in the middle of a log (a missing or
misspelt key file, or ``sudo``, which drops the variable), a reader never makes a key, a store
from a release before the keyed log is sealed only with a key that exists, and a restore takes
only a backup whose log verifies under the key in use (or, when told to, says so in the log)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SMALL, TEST_AUDIT_KEY
from test_environment_failures import held_open  # noqa: F401 - a fixture

from pipelines import audit_chain, backup, records
from pipelines.__main__ import main


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
    key = audit_chain.load_key()
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
    code = main(["audit", "--db", str(previous)])
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
    assert main(["audit", "--db", str(previous)]) == 0
    key = audit_chain.load_key()
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
