"""The one place that opens DuckDB.

Readers (the dashboard) open the store read-only. Writers never touch the live file: they
work on a copy and swap it in with ``os.replace``, so a reader sees the old store or the new
one, never half a load, and a crash mid-load leaves the live store as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines import settings


def sql_files() -> list[Path]:
    """SQL objects in dependency order: layer by layer, files by name within a layer."""
    files: list[Path] = []
    for layer in settings.SQL_LAYERS:
        files.extend(sorted((settings.SQL_DIR / layer).glob("*.sql")))
    return files


def read_sql(relative: str) -> str:
    return (settings.SQL_DIR / relative).read_text(encoding="utf-8")


def apply_sql(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables if missing and (re)create every view and macro, so a store always
    carries the SQL of the code that last wrote it, and say which SQL that was."""
    for path in sql_files():
        con.execute(path.read_text(encoding="utf-8"))
    con.execute(read_sql("load/stamp_sql.sql"), {"fingerprint": sql_fingerprint()})


def sql_fingerprint() -> str:
    """A hash of every SQL object's file: it changes whenever a view or macro does."""
    digest = hashlib.sha256()
    for path in sql_files():
        digest.update(path.relative_to(settings.SQL_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sql_is_current(db_path: Path | str) -> bool:
    con = connect_read_only(db_path)
    try:
        return con.execute(read_sql("load/read_sql_stamp.sql")).fetchone()[0] == sql_fingerprint()
    except duckdb.CatalogException:  # no store_sql table: written before it was recorded
        return False
    finally:
        con.close()


def bring_sql_up_to_date(db_path: Path | str) -> bool:
    """Give a store written by an earlier release this release's views and macros (and any new
    table), through the same copy-and-swap as a load, so data and records stay as they are.
    Returns whether anything was done."""
    path = Path(db_path)
    if not path.exists() or sql_is_current(path):
        return False
    with writer_lock(path):
        if sql_is_current(path):  # another process did it while we waited
            return False
        with swapped_store(path):
            pass  # swapped_store applies the SQL to the copy before swapping it in
    return True


def connect_read_only(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store as it is now.

    DuckDB shares one database instance between all connections to the same path in a
    process, so a connection opened after a swap would still read the old file while any
    older connection lives. Opening through a private hard link (removed once open; the open
    file keeps the data) gives every connection the store of its moment."""
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no store at {path}; build it with: python -m pipelines build --db {path}")
    link = path.with_name(f"{path.name}.reader-{uuid.uuid4().hex}")
    try:
        os.link(path, link)
    except OSError:
        return duckdb.connect(str(path), read_only=True)
    try:
        return duckdb.connect(str(link), read_only=True)
    finally:
        link.unlink()


@contextlib.contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """Serialise writers: two loads at once would each copy the same old store and the
    second swap would silently drop the first load."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _scratch_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.{uuid.uuid4().hex}.tmp")


def _discard(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def swapped_store(db_path: Path | str, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the store (or a new empty store when
    ``fresh``); on a clean exit the copy replaces the live store atomically, on any
    exception it is thrown away and the live store is untouched.

    Call it holding ``writer_lock``. The caller owns the transaction inside; this only
    owns the file."""
    target = Path(db_path)
    _remove_stale_scratch(target)
    scratch = _scratch_path(target)
    try:
        if target.exists() and not fresh:
            shutil.copyfile(target, scratch)
        con = duckdb.connect(str(scratch))
        try:
            apply_sql(con)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(scratch)
        os.replace(scratch, target)
        _fsync_dir(target.parent)
    finally:
        _discard(scratch)


def _remove_stale_scratch(target: Path) -> None:
    """Copies left by a writer that was killed mid-load; we hold the lock, so none is live."""
    for stale in target.parent.glob(f"{target.name}.*.tmp*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
