"""Backups and restores, and what a damaged store does: a backup is a checked copy with its
checksum beside it; a restore checks the backup before it replaces anything and records itself in
the audit log; a damaged store is refused in one line, on the command line and in the dashboard,
and no write copies the damage forward."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import duckdb
import pytest
from conftest import unpack_previous_release
from streamlit.testing.v1 import AppTest

from pipelines.base import config
from pipelines.cli.main import main
from pipelines.outputs import records
from pipelines.store import backup, db

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
ALLOCATE = ["allocate", "--total", "10000", "--include-pending", "--as-of", "2025-09-01"]


def _error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


def _rows(path: Path, sql: str) -> list[tuple]:
    con = db.connect_read_only(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _overwrite(path: Path) -> None:
    """Random bytes over parts of the file, as a failing disk or a stray copy would leave it."""
    rng = random.Random(14_19)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        for offset in range(size // 4, size, size // 8):
            handle.seek(offset)
            handle.write(rng.randbytes(2048))


DAMAGE = {"cut to half its size": _truncate, "random bytes overwritten": _overwrite}


@pytest.fixture
def good_backup(store, tmp_path) -> Path:
    return backup.backup(store, tmp_path / "good.duckdb").path


def test_a_backup_is_a_copy_with_its_checksum_beside_it(store, tmp_path, capsys):
    out = tmp_path / "nightly" / "store.duckdb"
    assert main(["backup", "--out", str(out), "--db", str(store)]) == 0
    printed = capsys.readouterr().out
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert out.read_bytes() == store.read_bytes()
    assert (tmp_path / "nightly" / "store.duckdb.sha256").read_text() == f"{digest}  store.duckdb\n"  # sha256sum -c reads it
    assert digest in printed and "store.duckdb.sha256" in printed
    assert backup.verify_backup(out) == (digest, db.current_schema_version())
    assert list((tmp_path / "nightly").glob("*.partial")) == []


def test_backups_into_a_folder_are_named_by_time_and_only_the_newest_are_kept(store, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    stamps = iter(["20261101T020000Z", "20261102T020000Z", "20261103T020000Z"])
    monkeypatch.setattr(backup, "_stamp", lambda: next(stamps))
    for _ in range(3):
        made = backup.backup(store, folder, keep=2)
    assert made.path.name == "store-backup-20261103T020000Z.duckdb"
    assert [p.name for p in made.removed] == ["store-backup-20261101T020000Z.duckdb"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt",
        "store-backup-20261102T020000Z.duckdb",
        "store-backup-20261102T020000Z.duckdb.sha256",
        "store-backup-20261103T020000Z.duckdb",
        "store-backup-20261103T020000Z.duckdb.sha256",
    ]


def test_an_out_that_is_not_a_duckdb_file_is_a_folder_made_on_the_first_run(store, tmp_path, capsys):
    assert main(["backup", "--out", str(tmp_path / "backups"), "--keep", "7", "--db", str(store)]) == 0
    made = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(made) == 2 and backup.BACKUP_NAME.fullmatch(made[0]) and made[1] == made[0] + ".sha256"


def test_two_restores_in_one_second_keep_both_replaced_stores(store, good_backup, monkeypatch):
    monkeypatch.setattr(backup, "_stamp", lambda: "20261128T090000Z")
    backup.restore(store, good_backup, actor="Ops")
    backup.restore(store, good_backup, actor="Ops")
    assert sorted(p.name for p in store.parent.glob("store.before-restore-*")) == [
        "store.before-restore-20261128T090000Z-2.duckdb",
        "store.before-restore-20261128T090000Z.duckdb",
    ]


def test_keep_needs_a_folder(store, tmp_path, capsys):
    assert main(["backup", "--out", str(tmp_path / "one.duckdb"), "--keep", "3", "--db", str(store)]) == 2
    assert "--keep" in _error_lines(capsys)[0]


def test_a_restore_brings_the_backup_back_keeps_the_replaced_store_and_is_audited(store, good_backup, capsys):
    records.save_scenario(store, "Made after the backup", {"total": "10000"}, "Chair")
    before_restore = store.read_bytes()
    assert main(["restore", str(good_backup), "--by", "Ops", "--db", str(store)]) == 0
    capsys.readouterr()
    assert _rows(store, "SELECT name FROM scenarios") == []
    last = _rows(store, "SELECT actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    assert last[:3] == ("Ops", "restore", "store")
    assert "good.duckdb" in last[3] and backup.sha256_of(good_backup) in last[3]
    assert all(intact for _, intact in _rows(store, db.read_sql("reports/audit_verification.sql")))
    kept = list(store.parent.glob("store.before-restore-*.duckdb"))
    assert len(kept) == 1 and kept[0].read_bytes() == before_restore  # the replaced store, untouched
    assert kept[0].name in last[3]
    assert main(["audit", "--db", str(store)]) == 0


def _flip_a_byte(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


def _truncate_and_reseal(path: Path) -> None:
    """Damaged before the checksum was taken: the checksum matches, DuckDB still cannot read it."""
    _truncate(path)
    backup._write_checksum(path, backup.sha256_of(path))


def _not_a_store(path: Path) -> None:
    path.unlink()
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE something (x INTEGER)")
    con.close()
    backup._write_checksum(path, backup.sha256_of(path))


def _from_a_newer_release(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, 'later', now())",
        {"v": db.current_schema_version() + 1},
    )
    con.close()
    backup._write_checksum(path, backup.sha256_of(path))


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        (_flip_a_byte, "does not match"),
        (lambda path: backup.checksum_path(path).unlink(), "no checksum file"),
        (_truncate_and_reseal, "DuckDB cannot"),
        (_not_a_store, "not a store of this tool"),
        (_from_a_newer_release, "written by a newer release"),
    ],
)
def test_a_restore_checks_the_backup_before_it_replaces_anything(store, good_backup, capsys, spoil, says):
    spoil(good_backup)
    before = store.read_bytes()
    assert main(["restore", str(good_backup), "--db", str(store)]) == 2
    errors = _error_lines(capsys)
    assert len(errors) == 1 and says in errors[0] and "nothing was changed" in errors[0]
    assert store.read_bytes() == before
    assert list(store.parent.glob("store.before-restore-*")) == []


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_is_refused_in_one_line_and_no_write_copies_it_forward(store, good_backup, tmp_path, capsys, damage):
    DAMAGE[damage](store)
    damaged = store.read_bytes()
    census = tmp_path / "census.csv"
    census.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,140\n")
    for argv in (
        ALLOCATE,
        ["audit"],
        ["load", "census", str(census)],
        ["approve", *ALLOCATE[1:], "--by", "Chair"],
        ["build"],
        ["backup", "--out", str(tmp_path / "of-the-damage.duckdb")],
    ):
        assert main([*argv, "--db", str(store)]) == 2, argv
        errors = _error_lines(capsys)
        assert len(errors) == 1, (argv, errors)
        assert "is damaged" in errors[0] and "python -m pipelines restore" in errors[0] and "backup" in errors[0], argv
        assert store.read_bytes() == damaged, argv
    assert not (tmp_path / "of-the-damage.duckdb").exists()
    # The way out the message names: restore a backup.
    assert main(["restore", str(good_backup), "--by", "Ops", "--db", str(store)]) == 0
    assert main([*ALLOCATE, "--db", str(store)]) == 0


@pytest.mark.parametrize("damage", DAMAGE)
def test_the_dashboard_shows_a_damaged_store_as_one_error(store, monkeypatch, damage):
    DAMAGE[damage](store)
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    messages = [e.value for e in app.error]
    assert len(messages) == 1 and "is damaged" in messages[0] and "python -m pipelines restore" in messages[0]


def test_a_backup_of_the_previous_release_restores_and_is_brought_up_to_date(store, tmp_path):
    old = tmp_path / "previous.duckdb"
    unpack_previous_release(old)
    backup._write_checksum(old, backup.sha256_of(old))  # as its backup would have had
    assert backup.verify_backup(old)[1] == 0
    before = store.read_bytes()
    with pytest.raises(backup.BackupRefused, match="from before the keyed seal .* --accept-unverified"):
        backup.restore(store, old, actor="Ops")  # nothing in an unkeyed log can be verified under the key
    assert store.read_bytes() == before
    restored = backup.restore(store, old, actor="Ops", accept_unverified=True)
    assert restored.schema_version == 0
    assert _rows(store, "SELECT name FROM scenarios") == [("Half a million, pending funded",)]
    assert [r[0] for r in _rows(store, "SELECT action FROM audit_log ORDER BY seq")][-2:] == ["upgrade", "restore"]
    assert all(intact for _, intact in _rows(store, db.read_sql("reports/audit_verification.sql")))
    assert main(["audit", "--db", str(store)]) == 0  # the keyed seals too, not only the links
    assert db.sql_is_current(store)


def test_two_backups_into_a_folder_within_one_second_are_two_files(store, tmp_path, monkeypatch):
    stamps = iter(["20261207T040000Z", "20261207T040000Z", "20261207T040000Z", "20261207T040001Z"])
    monkeypatch.setattr(backup, "_stamp", lambda: next(stamps))
    first = backup.backup(store, tmp_path / "folder")
    second = backup.backup(store, tmp_path / "folder")
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert second.path.name == "store-backup-20261207T040001Z.duckdb"
