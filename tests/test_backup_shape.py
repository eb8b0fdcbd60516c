"""A backup whose tables have a store's names but not its columns is refused like any other file
that is not a store (exit 2, one line, nothing changed), before DuckDB is asked to bring it up to
this release; a backup of an earlier release, which lacks only what its upgrades add, still passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import unpack_previous_release

from pipelines.cli.main import main
from pipelines.store import backup, db


def _sealed(path: Path) -> Path:
    backup._write_checksum(path, backup.sha256_of(path))
    return path


def _names_only(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for table in db.REQUIRED_TABLES:
        con.execute(f"CREATE TABLE {table} (x INTEGER)")
    con.close()
    return _sealed(path)


def _previous(path: Path) -> Path:
    unpack_previous_release(path)
    return path


def _previous_without_a_name(path: Path) -> Path:
    """An earlier release's store with a column no upgrade adds taken away."""
    con = duckdb.connect(str(_previous(path)))
    con.execute("ALTER TABLE institutions DROP COLUMN district")
    con.close()
    return _sealed(path)


def _retyped_count(path: Path) -> Path:
    shutil.copyfile(path.with_name("store.duckdb"), path)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE load_log ALTER warnings SET DATA TYPE VARCHAR")
    con.close()
    return _sealed(path)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_names_only, "its institutions table lacks the columns institution_id"),
        (_previous_without_a_name, "its institutions table lacks the column district"),
        (_retyped_count, "its load_log table has the column warnings as VARCHAR, not INTEGER"),
    ],
)
def test_a_backup_with_a_stores_table_names_but_other_columns_is_refused(store, tmp_path, capsys, make, says):
    bad = make(tmp_path / "bad.duckdb")
    before = store.read_bytes()
    assert main(["restore", str(bad), "--by", "Ops", "--db", str(store)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "not a store of this tool" in errors[0] and says in errors[0], errors
    assert store.read_bytes() == before


def test_a_backup_of_the_previous_release_has_a_stores_shape(tmp_path):
    assert backup.verify_backup(_sealed(_previous(tmp_path / "previous.duckdb")))[1] == 0
