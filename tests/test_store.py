"""The store's guarantees: atomic swaps, all-or-nothing loads, harmless reloads, and a
schema that refuses bad states even when written to directly."""

from __future__ import annotations

import duckdb
import pytest
from conftest import BAD, SMALL
from storecheck import file_digest, table_checksums

from pipelines.datasets.build_default import default_uploads
from pipelines.ingest import load as load_module
from pipelines.ingest.load import Upload, load, load_all
from pipelines.ingest.problems import ValidationFailed
from pipelines.store import db


def _census(tmp_path, name: str, headcount: int):
    path = tmp_path / name
    path.write_text(f"urn,census_date,nc_year,headcount\n100001,2026-01-15,10,{headcount}\n")
    return Upload.from_path("census", path)


def _headcount(store) -> int | None:
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute("SELECT headcount FROM census_rolls WHERE census_date = '2026-01-15'").fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


def test_open_reader_keeps_the_old_store_and_new_readers_see_the_new(store, tmp_path):
    reader = duckdb.connect(str(store), read_only=True)
    try:
        load(_census(tmp_path, "a.csv", 111), store)
        assert reader.execute("SELECT count(*) FROM census_rolls WHERE census_date = '2026-01-15'").fetchone() == (0,)
    finally:
        reader.close()
    assert _headcount(store) == 111


def test_a_failure_while_writing_leaves_the_live_store_untouched(store, tmp_path, monkeypatch):
    before_tables, before_bytes = table_checksums(store), file_digest(store)
    real_write = load_module.write

    def write_then_crash(con, checked):
        real_write(con, checked)
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module, "write", write_then_crash)
    with pytest.raises(RuntimeError, match="disk full"):
        load(_census(tmp_path, "a.csv", 111), store)
    assert table_checksums(store) == before_tables
    assert file_digest(store) == before_bytes
    assert sorted(p.name for p in store.parent.iterdir()) == ["a.csv", "store.duckdb", "store.duckdb.lock"]


def test_reloading_the_same_file_changes_nothing(store, tmp_path):
    upload = _census(tmp_path, "a.csv", 111)
    first = load(upload, store)
    digest = file_digest(store)
    second = load(upload, store)
    assert not first.skipped and second.skipped
    assert file_digest(store) == digest


def test_a_file_loaded_again_after_another_is_applied_again(store, tmp_path):
    a, b = _census(tmp_path, "a.csv", 111), _census(tmp_path, "b.csv", 222)
    load(a, store)
    load(b, store)
    assert _headcount(store) == 222
    assert not load(a, store).skipped
    assert _headcount(store) == 111


def test_loading_the_default_set_twice_gives_the_same_tables(tmp_path):
    uploads = default_uploads(SMALL)
    store = tmp_path / "s.duckdb"
    load_all(uploads, store, fresh=True)
    once = table_checksums(store)
    for upload in uploads:
        assert load(upload, store).skipped
    assert table_checksums(store) == once


def test_several_files_land_together_or_not_at_all(store, tmp_path):
    before = table_checksums(store)
    good = _census(tmp_path, "good.csv", 111)
    bad = Upload.from_path("census", BAD / "census_negative_headcount.csv")
    with pytest.raises(ValidationFailed):
        load_all([good, bad], store)
    assert table_checksums(store) == before


def test_swapped_store_discards_the_copy_on_error(store):
    digest = file_digest(store)
    with pytest.raises(ZeroDivisionError), db.writer_lock(store), db.swapped_store(store) as con:
        con.execute("DELETE FROM institutions")
        1 / 0  # noqa: B018 - fails on purpose, inside the swap
    assert file_digest(store) == digest
    assert not list(store.parent.glob("*.tmp*"))


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO institutions (institution_id, urn, name, kind, status) VALUES (200001, 200001, 'X', 'secondary', 'open')",
        "INSERT INTO institutions (institution_id, urn, name, kind, status) VALUES (200001, 200001, 'X', 'high_school', 'shut')",
        "INSERT INTO institutions (institution_id, urn, name, kind, status, latitude, longitude) VALUES (200001, 200001, 'X', 'high_school', 'open', 10, 1)",
        "INSERT INTO institutions (institution_id, urn, name, kind, status) VALUES (200002, 200001, 'X', 'high_school', 'open')",
        "INSERT INTO census_rolls VALUES (100001, '2026-01-15', 10, -1, NULL)",
        "INSERT INTO census_rolls VALUES (100001, '2025-01-16', 10, 5, NULL)",
        "INSERT INTO memberships VALUES ('P1', 100001, 'full', '2009-09-01', NULL, NULL)",
        "INSERT INTO memberships VALUES ('P1', 100006, 'member', '2009-09-01', NULL, NULL)",
        "INSERT INTO memberships VALUES ('P1', 100006, 'full', '2009-09-01', '2008-01-01', NULL)",
        "INSERT INTO accreditation_decisions VALUES ('P1', 'approved', '2025-01-01', NULL, NULL)",
        "INSERT INTO previous_allocations VALUES ('P3', -1, NULL)",
        "INSERT INTO partnerships VALUES ('bad code', 'X', NULL)",
    ],
)
def test_schema_refuses_bad_states(store, statement):
    con = duckdb.connect(str(store))
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(statement)
    finally:
        con.close()


def test_a_reader_opened_after_a_load_sees_it_while_an_older_reader_is_open(store, tmp_path):
    """DuckDB shares one instance per path in a process; readers must not inherit a stale one."""
    older = db.connect_read_only(store)
    try:
        load(_census(tmp_path, "a.csv", 111), store)
        newer = db.connect_read_only(store)
        try:
            query = "SELECT headcount FROM census_rolls WHERE census_date = '2026-01-15'"
            assert older.execute(query).fetchall() == []
            assert newer.execute(query).fetchall() == [(111,)]
        finally:
            newer.close()
    finally:
        older.close()
    assert sorted(p.name for p in store.parent.iterdir() if "reader" in p.name) == []


def test_first_run_build_does_not_replace_a_store_another_process_built(store, monkeypatch):
    """Two dashboards start on a missing store: the second to take the lock must keep the
    first one's store (and any load made to it since), not rebuild over it."""
    from pipelines.datasets import build_default

    before = file_digest(store)
    real_exists = type(store).exists
    calls = {"n": 0}

    def exists_only_after_the_first_look(path):
        # The unlocked look sees no store; the look under the lock sees the one just built.
        if path == store and calls["n"] == 0:
            calls["n"] += 1
            return False
        return real_exists(path)

    monkeypatch.setattr(type(store), "exists", exists_only_after_the_first_look)
    build_default.ensure_store(store)
    assert calls["n"] == 1
    assert file_digest(store) == before
