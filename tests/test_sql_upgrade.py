"""A store written by an earlier release (older views and macros, no record of its SQL) gets
this release's SQL on first use, through the same copy-and-swap as a load, keeping its data and
records."""

from __future__ import annotations

import shutil

import duckdb

from pipelines.cli import main as cli
from pipelines.datasets import build_default
from pipelines.outputs import records
from pipelines.store import db


def _as_an_earlier_release_left_it(store) -> None:
    con = duckdb.connect(str(store))
    try:
        con.execute("DROP TABLE store_sql")
        con.execute("DROP MACRO TABLE allocation")
        con.execute("DROP MACRO TABLE allocation_on_census")
    finally:
        con.close()


def test_the_dashboard_start_brings_an_earlier_store_up_to_date(store, tmp_path):
    records.save_scenario(store, "Kept", {"total": "10000"}, "Chair")
    _as_an_earlier_release_left_it(store)
    assert not db.sql_is_current(store)
    build_default.ensure_store(store)
    assert db.sql_is_current(store)
    con = db.connect_read_only(store)
    try:
        assert con.execute("SELECT count(*) FROM allocation(10000, 0, 1, 300, 39)").fetchone()[0] == 2
        assert con.execute("SELECT name FROM scenarios").fetchall() == [("Kept",)]
    finally:
        con.close()
    assert not db.bring_sql_up_to_date(store)  # nothing to do the second time


def test_the_command_line_brings_an_earlier_store_up_to_date(store, capsys):
    _as_an_earlier_release_left_it(store)
    assert cli.main(["allocate", "--total", "10000", "--include-pending", "--as-of", "2025-09-01", "--db", str(store)]) == 0
    assert "brought up to date" in capsys.readouterr().err
    assert db.sql_is_current(store)


def test_a_current_store_is_left_untouched(store, tmp_path):
    before = tmp_path / "before.duckdb"
    shutil.copyfile(store, before)
    assert db.sql_is_current(store)
    assert not db.bring_sql_up_to_date(store)
    assert store.read_bytes() == before.read_bytes()
