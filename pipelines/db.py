"""The one place that opens DuckDB.

Readers (the dashboard) open the store read-only. Writers never touch the live file: they
work on a copy and swap it in with ``os.replace``, so a reader sees the old store or the new
one, never half a load, and a crash mid-load leaves the live store as it was.

A store records its schema version (the numbered files in sql/migrations it has been through).
Every write brings a copy of an older store forward before swapping it in, so an upgrade is a
write like any other: all of it lands, or the store stays as it was. A store newer than this code
is refused rather than written back in an older shape, and a damaged store is refused rather than
copied forward into the next one.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import filelock

from pipelines import audit_chain, clock, config
from pipelines.refusals import Refused

ON_WINDOWS = os.name == "nt"
MIGRATION_NAME = re.compile(r"(\d{3})_[a-z0-9_]+\.sql")
# What any store worth opening holds: a backup without these is not one of ours.
REQUIRED_TABLES = (
    "institutions",
    "census_rolls",
    "partnerships",
    "memberships",
    "accreditation_decisions",
    "load_log",
    "scenarios",
    "decisions",
    "decision_lines",
    "audit_log",
)
RECOVERY_HINT = (
    "restore a backup with: python -m pipelines restore BACKUP_FILE --db {path} "
    "(backups are written by: python -m pipelines backup --out FOLDER)"
)


class StoreProblem(Refused):
    """The store file itself cannot be used as it is; the message says what to do, in one line,
    so the command line and the dashboard can show it as it stands."""


class WriterBusy(StoreProblem):
    """Another load or approval held the writer lock for longer than we wait."""


class StoreDamaged(StoreProblem):
    """DuckDB cannot read the file, or part of it: truncated, overwritten, not a store."""

    def __init__(self, path: Path | str, reason: str, *, what: str = "the store") -> None:
        self.path, self.reason = Path(path), _one_line(reason)
        super().__init__(
            f"{path}: {what} is damaged and cannot be read ({self.reason}); nothing was changed; "
            + RECOVERY_HINT.format(path=path if what == "the store" else "STORE")
        )


class StoreTooNew(StoreProblem):
    """Written by a newer release: writing it with this code would drop what that release added."""


def _reads_as_damage(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Corrupt database file" in text or "Could not read enough bytes" in text


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def migrations() -> list[tuple[int, Path]]:
    """The numbered migrations in order; the schema version of a store is the last it has been
    through. Numbers run 1, 2, 3 ... without gaps, so a missing file cannot go unnoticed."""
    found = []
    for path in sorted((config.SQL_DIR / "migrations").glob("*.sql")):
        match = MIGRATION_NAME.fullmatch(path.name)
        if not match:
            raise ValueError(f"{path}: a migration is named NNN_what_it_does.sql")
        found.append((int(match.group(1)), path))
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(
            f"migrations in {config.SQL_DIR / 'migrations'} must be numbered 1, 2, 3 ... without gaps, not {numbers}"
        )
    return found


def current_schema_version() -> int:
    """The schema version this code writes."""
    return len(migrations())


def store_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of the store behind ``con``; 0 for one written before versions were
    recorded (every release up to a5555f3)."""
    try:
        return scalar(con, read_sql("load/read_schema_version.sql"))
    except duckdb.CatalogException:
        return 0


def refuse_if_too_new(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    found, current = store_version(con), current_schema_version()
    if found > current:
        raise StoreTooNew(
            f"{path}: the store was written by a newer release of this tool (schema version {found}; "
            f"this release knows up to {current}); upgrade the tool to use it; nothing was changed"
        )
    return found


def verify_readable(con: duckdb.DuckDBPyConnection, path: Path | str, *, what: str = "the store") -> None:
    """Read every row of every table and look up each index, so a damaged block is found before
    anyone relies on it (a write would otherwise copy the damage into the next store, a backup
    would keep it)."""
    try:
        tables = [r[0] for r in con.execute(read_sql("load/store_tables.sql")).fetchall()]
        for table in tables:
            con.execute(read_sql("load/read_whole_table.sql"), {"table": table}).fetchall()
        for table, column in con.execute(read_sql("load/store_indexed_columns.sql")).fetchall():
            con.execute(read_sql("load/probe_index.sql"), {"table": table, "column": column}).fetchall()
    except duckdb.Error as exc:
        raise StoreDamaged(path, str(exc), what=what) from None


def check_store(db_path: Path | str) -> int:
    """Open the store read-only and refuse it if damaged or too new; returns its schema version."""
    con = connect_read_only(db_path)
    try:
        verify_readable(con, db_path)
        return refuse_if_too_new(con, db_path)
    finally:
        con.close()


def sql_files() -> list[Path]:
    """SQL objects in dependency order: layer by layer, files by name within a layer."""
    files: list[Path] = []
    for layer in config.SQL_LAYERS:
        files.extend(sorted((config.SQL_DIR / layer).glob("*.sql")))
    return files


def read_sql(relative: str) -> str:
    return (config.SQL_DIR / relative).read_text(encoding="utf-8")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> Any:
    """The one value of a query that always gives one row (a count, a stamp, a new id)."""
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0][0]


def apply_sql(con: duckdb.DuckDBPyConnection, path: Path | str = "the store") -> None:
    """Bring the store behind ``con`` to this release, in one transaction: tables missing from it
    are created, migrations it has not been through are applied in order, every view and macro
    is (re)created, and the store says which schema version and SQL it now carries.

    Tables are created first (at today's shape), so a migration always finds its table; a
    migration must therefore also leave a table already at today's shape as it is (``ADD COLUMN
    IF NOT EXISTS``, or a rebuild that copies named columns)."""
    found = refuse_if_too_new(con, path)
    empty = con.execute(read_sql("load/store_tables.sql")).fetchall() == []
    pending = [(number, file) for number, file in migrations() if number > found]
    con.begin()
    try:
        layers = {layer: [f for f in sql_files() if f.parent.name == layer] for layer in config.SQL_LAYERS}
        for file in layers["schema"]:
            con.execute(file.read_text(encoding="utf-8"))
        evidence: dict[str, Any] = {}
        if not empty:  # a new store is created at today's shape: nothing to migrate
            for number, file in pending:
                con.execute(file.read_text(encoding="utf-8"))
                evidence.update(audit_chain.after_migration(con, number))  # what SQL cannot do (an HMAC)
        for layer in config.SQL_LAYERS[1:]:
            for file in layers[layer]:
                con.execute(file.read_text(encoding="utf-8"))
        at = clock.utc_now()
        for number, file in pending:
            con.execute(read_sql("load/stamp_schema_version.sql"), {"version": number, "name": file.stem, "at": at})
        if pending and not empty:
            audit_chain.append(
                con,
                _actor(),
                "upgrade",
                "store",
                f"schema version {found} to {pending[-1][0]}: " + ", ".join(f.stem for _, f in pending),
                at=at,
                evidence=evidence or None,
            )
        con.execute(read_sql("load/stamp_sql.sql"), {"fingerprint": sql_fingerprint()})
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _actor() -> str:
    try:
        return f"{getpass.getuser()} (upgrade)"
    except (KeyError, OSError):
        return "upgrade"


def sql_fingerprint() -> str:
    """A hash of every SQL object's file and migration: it changes whenever a view or macro does."""
    digest = hashlib.sha256()
    for path in sql_files() + [file for _, file in migrations()]:
        digest.update(path.relative_to(config.SQL_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sql_is_current(db_path: Path | str, *, verify: bool = False) -> bool:
    """Whether the store carries this release's schema version and SQL. Raises StoreTooNew for a
    store a newer release wrote, and (reading every row when ``verify``) StoreDamaged."""
    con = connect_read_only(db_path)
    try:
        if verify:
            verify_readable(con, db_path)
        if refuse_if_too_new(con, db_path) != current_schema_version():
            return False
        return scalar(con, read_sql("load/read_sql_stamp.sql")) == sql_fingerprint()
    except duckdb.CatalogException:  # no store_sql table: written before it was recorded
        return False
    except duckdb.Error as exc:
        raise StoreDamaged(db_path, str(exc)) from None
    finally:
        con.close()


def bring_sql_up_to_date(db_path: Path | str) -> bool:
    """Give a store written by an earlier release this release's schema (migrations), views and
    macros, through the same copy-and-swap as a load, so data and records stay as they are and
    the old file stays live until the upgraded copy is complete. Every way in (the command line,
    the dashboard) passes here first, so it also reads the whole store once: a damaged or newer
    store is refused here, in one line, not half-way through a page or a command.
    Returns whether anything was done."""
    path = Path(db_path)
    if not path.exists() or sql_is_current(path, verify=True):
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
    if ON_WINDOWS:  # Windows cannot remove a link to a file DuckDB holds open; read the path itself
        return _connect_read_only(path, path)
    link = path.with_name(f"{path.name}.reader-{uuid.uuid4().hex}")
    try:
        os.link(path, link)
    except OSError:
        return _connect_read_only(path, path)
    try:
        return _connect_read_only(link, path)
    finally:
        link.unlink()


def _connect_read_only(file: Path, named: Path) -> duckdb.DuckDBPyConnection:
    if not os.access(file, os.R_OK):
        raise PermissionError(f"{named}: this user may not read the store")
    try:
        return duckdb.connect(str(file), read_only=True)
    except duckdb.Error as exc:  # truncated, overwritten, or not a DuckDB file at all
        raise StoreDamaged(named, str(exc).replace(str(file), str(named))) from None


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Serialise writers: two loads at once would each copy the same old store and the
    second swap would silently drop the first load.

    An operating-system lock (``filelock``: flock on POSIX, msvcrt on Windows), so a writer that
    dies releases it with its process; the lock file stays, and its presence means nothing.
    A writer waits ``WRITER_LOCK_TIMEOUT_S`` at most, then says who to wait for rather than hang."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    wait = config.WRITER_LOCK_TIMEOUT_S if timeout is None else timeout
    try:
        # The file stays put between writers, so an outside ``flock store.duckdb.lock ...`` (a
        # backup script, say) locks the same file as we do, never one we are about to remove.
        lock = filelock.FileLock(lock_path, timeout=wait, preserve_lock_file=True)
    except ValueError:  # no OS locking here (filelock's soft lock): it releases by removing its file
        lock = filelock.FileLock(lock_path, timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WriterBusy(
            f"{db_path}: another load or approval is running (it has held the writer lock {lock_path} "
            f"for more than {wait:g} s); nothing was changed; try again once it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _scratch_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.{uuid.uuid4().hex}.tmp")


def _discard(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def swapped_store(db_path: Path | str, *, fresh: bool = False, source: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the store (or a new empty store when
    ``fresh``, or a copy of ``source`` when restoring a backup), brought up to this release's
    schema; on a clean exit the copy replaces the live store atomically, on any exception it is
    thrown away and the live store is untouched.

    Call it holding ``writer_lock``. The caller owns the transaction inside; this only
    owns the file."""
    target = Path(db_path)
    _remove_stale_scratch(target)
    scratch = _scratch_path(target)
    origin = source if source is not None else target
    try:
        if source is not None or (target.exists() and not fresh):
            shutil.copyfile(origin, scratch)
        try:
            con = duckdb.connect(str(scratch))
        except duckdb.Error as exc:
            raise StoreDamaged(origin, str(exc)) from None
        try:
            if scratch.stat().st_size:
                verify_readable(con, origin)  # never carry damage into the next store
            apply_sql(con, origin)
            try:
                yield con
            except duckdb.Error as exc:
                if _reads_as_damage(exc):  # a block the checks above could not reach
                    raise StoreDamaged(origin, str(exc)) from None
                raise
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
    with open(path, "r+b") as handle:  # Windows flushes only a handle open for writing
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the system allows it; Windows cannot open a directory (and
    NTFS journals the rename), so there it is skipped."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
