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
import errno
import getpass
import hashlib
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import filelock

from pipelines.base import clock, config, input_file, invocation
from pipelines.base.refusals import Failed, Refused
from pipelines.store import audit_chain

ON_WINDOWS = os.name == "nt"
logger = logging.getLogger(__name__)
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
    "restore a backup with: {program} restore BACKUP_FILE --db {path} (backups are written by: {program} backup --out FOLDER)"
)


class StoreProblem(Refused):
    """The store file itself cannot be used as it is; the message says what to do, in one line,
    so the command line and the dashboard can show it as it stands."""


class WriterBusy(StoreProblem):
    """Another load or approval held the writer lock for longer than we wait."""


class StoreDamaged(StoreProblem):
    """DuckDB cannot read the file, or part of it: truncated, overwritten, not a store."""

    def __init__(self, path: Path | str, reason: str, *, what: str = "the store") -> None:
        self.path, self.reason = Path(path), _one_line(_named(reason, path))
        super().__init__(
            f"{path}: {what} is damaged and cannot be read ({self.reason}); nothing was changed; "
            + RECOVERY_HINT.format(path=path if what == "the store" else "STORE", program=invocation.program())
        )


class StoreTooNew(StoreProblem):
    """Written by a newer release: writing it with this code would drop what that release added."""


class StoreNeedsUpgrade(StoreProblem):
    """An earlier release's store where this user may not write: it is read only once brought
    up to date, which is a write (reading an old shape through today's SQL would misread it)."""


class StoreNeedsSealing(StoreProblem):
    """A store whose audit log is from before the keyed seal. Sealing takes the log as it stands,
    so it is never done by routine use: a sealed store that someone made to look older (its
    schema record cut back, its log re-hashed by the old rule) would be sealed again, forgeries
    and all, by the next command the key holder ran."""


class StoreInUse(StoreProblem):
    """Another program (a DuckDB shell, a notebook, a script) has the store file open for writing.
    DuckDB then locks every other process out of it, readers included, so nothing can be shown
    or written until it lets go; the file itself is fine."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        held = _HELD_BY.search(reason)
        who = f"another program ({held['program']}, process {held['pid']})" if held else "another program"
        super().__init__(
            f"{path}: {who} has the store open for writing, so it cannot be read or changed now; "
            f"nothing was changed; close that program (this tool never keeps the store open for writing) and try again"
        )


class StoreUnwritable(Failed):
    """The machine would not let a write finish: no room on the disk (or a quota or file size
    limit), or no permission to write in the store's folder. Writers work on a copy beside the
    store, so the live store is as it was and the copy is gone."""

    def __init__(self, path: Path | str, exc: BaseException, *, what: str = "the store") -> None:
        self.path, self.reason = Path(path), _reason(exc, path)
        self.denied = False  # no permission, as opposed to no room
        folder = self.path.parent
        size = self.path.stat().st_size / 1e6 if what == "the store" and self.path.is_file() else None
        if _says(exc, {errno.EFBIG}, ("File too large",)):
            problem = "a limit on the size of the files this user may write stopped the write"
            advice = "raise that limit (ulimit -f) for the user running this tool" + (
                f" above the store's {size:.1f} MB" if size else ""
            )
        elif disk_full(exc):
            room = f" (a write needs room for a new copy of the store, {size:.1f} MB, beside it)" if size else ""
            problem, advice = f"no room left to write in {folder}", f"free some space there{room} and try again"
        else:
            self.denied = True
            problem = f"this tool may not write in {folder}"
            advice = (
                "let the user running it write there (the store, its .lock file and each new copy live there), "
                "or use a store in a folder it may write"
            )
        super().__init__(f"{path}: {problem} ({self.reason}); {what} is as it was; {advice}")


# What DuckDB and the operating system say for each kind of trouble (DuckDB passes on the
# system's own words, so both are matched on them).
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_FULL_TEXT = ("No space left on device", "Disk quota exceeded", "File too large")
_DENIED_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_DENIED_TEXT = ("Read-only file system", "Permission denied", "Operation not permitted")
_HELD_BY = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_IN_USE_TEXT = ("Could not set lock on file", "Conflicting lock is held")
# The private names a store is opened or written under: a reader's link, a writer's copy.
_INTERNAL_NAME = r"\.(?:reader-[0-9a-f]{32}|[0-9a-f]{32}\.tmp)(?:\.wal)?"


def disk_full(exc: BaseException) -> bool:
    """No room (or a quota or a file size limit reached), as opposed to no permission."""
    return _says(exc, _FULL_ERRNOS, _FULL_TEXT)


def _says(exc: BaseException, errnos: set[int], texts: tuple[str, ...]) -> bool:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno in errnos
    return any(text in str(exc) for text in texts)


def _reads_as_damage(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Corrupt database file" in text or "Could not read enough bytes" in text


def _named(text: str, path: Path | str) -> str:
    """DuckDB names the file it opened, which is a reader's private link or a writer's copy:
    name the store (or backup) the person knows instead."""
    text = re.sub(re.escape(str(path)) + _INTERNAL_NAME, lambda _: str(path), str(text))
    return re.sub(r"[^\s\"']*" + _INTERNAL_NAME, lambda _: str(path), text)


def _reason(exc: BaseException, path: Path | str) -> str:
    """The system's own words (DuckDB wraps them in its own, naming its private copy)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return next((text for text in _FULL_TEXT + _DENIED_TEXT if text in str(exc)), _one_line(_named(str(exc), path)))


def store_problem(exc: BaseException, path: Path | str, *, what: str = "the store") -> Refused | Failed | None:
    """What an error from DuckDB or the system means for the store (or backup) at ``path``, as
    one line naming it and saying what to do; None when it is not about that file or its folder
    (a fault to be reported as one)."""
    if isinstance(exc, (Refused, Failed)):
        return exc
    if isinstance(exc, duckdb.Error) and any(text in str(exc) for text in _IN_USE_TEXT):
        return StoreInUse(path, str(exc))
    if isinstance(exc, (OSError, duckdb.Error)) and _says(exc, _FULL_ERRNOS | _DENIED_ERRNOS, _FULL_TEXT + _DENIED_TEXT):
        return StoreUnwritable(path, exc, what=what)
    if isinstance(exc, duckdb.Error) and _reads_as_damage(exc):
        return StoreDamaged(path, str(exc), what=what)
    return None


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
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if (
            tables and missing and what == "the store"
        ):  # removed behind the tool's back: a write would start it again, empty (a backup says so itself)
            raise StoreDamaged(path, f"its {', '.join(missing)} table is missing", what=what)
        for table in tables:
            con.execute(read_sql("load/read_whole_table.sql"), {"table": table}).fetchall()
        for table, column in con.execute(read_sql("load/store_indexed_columns.sql")).fetchall():
            con.execute(read_sql("load/probe_index.sql"), {"table": table, "column": column}).fetchall()
    except duckdb.Error as exc:
        raise store_problem(exc, path, what=what) or StoreDamaged(path, str(exc), what=what) from None


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


def apply_sql(con: duckdb.DuckDBPyConnection, path: Path | str = "the store", *, seal_legacy: bool = False) -> None:
    """Bring the store behind ``con`` to this release, in one transaction: tables missing from it
    are created, migrations it has not been through are applied in order, every view and macro
    is (re)created, and the store says which schema version and SQL it now carries.

    Tables are created first (at today's shape), so a migration always finds its table; a
    migration must therefore also leave a table already at today's shape as it is (``ADD COLUMN
    IF NOT EXISTS``, or a rebuild that copies named columns)."""
    found = refuse_if_too_new(con, path)
    empty = con.execute(read_sql("load/store_tables.sql")).fetchall() == []
    pending = [(number, file) for number, file in migrations() if number > found]
    if not empty and not seal_legacy and any(number == audit_chain.KEYED_SINCE_MIGRATION for number, _ in pending):
        raise StoreNeedsSealing(
            f"{path}: this store's audit log is from before the keyed seal (schema version {found}), and routine use "
            "never seals one, because it is sealed as it stands: if this store was already in use with this release, "
            f"it has been tampered with (restore a backup); if an earlier release wrote it, seal it once with: "
            f"{invocation.command(f'upgrade --db {path}')} (as a user who may write there, with the audit key); "
            "nothing was changed"
        )
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
        # A rollback after a failed commit (a full disk) raises its own "no transaction" error,
        # which would hide the cause the caller must report.
        with contextlib.suppress(duckdb.Error):
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
        raise store_problem(exc, db_path) or StoreDamaged(db_path, str(exc)) from None
    finally:
        con.close()


def _version_of(path: Path) -> int:
    con = connect_read_only(path)
    try:
        return store_version(con)
    finally:
        con.close()


def _upgrade_note(path: Path, found: int) -> str:
    """One line for the log saying which store was upgraded and why (the dashboard has no other
    way to tell the operator, and the command line says it on the same stream)."""
    if found < current_schema_version():
        ran = ", ".join(file.stem for number, file in migrations() if number > found)
        why = f"written by an earlier release, schema version {found}; migrations run: {ran}"
    else:
        why = "its views and macros were another release's"
    return f"{path}: brought up to date with this release ({why}); its data and records kept"


def bring_sql_up_to_date(db_path: Path | str, *, seal_legacy: bool = False) -> bool:
    """Give a store written by an earlier release this release's schema (migrations), views and
    macros, through the same copy-and-swap as a load, so data and records stay as they are and
    the old file stays live until the upgraded copy is complete. Every way in (the command line,
    the dashboard) passes here first, so it also reads the whole store once: a damaged or newer
    store is refused here, in one line, not half-way through a page or a command.
    Returns whether anything was done."""
    path = Path(db_path)
    if not path.exists() or sql_is_current(path, verify=True):
        return False
    try:
        with writer_lock(path):
            if sql_is_current(path):  # another process did it while we waited
                return False
            found = _version_of(path)
            with swapped_store(path, seal_legacy=seal_legacy):
                pass  # swapped_store applies the SQL to the copy before swapping it in
    except StoreUnwritable as exc:
        if not exc.denied:
            raise
        raise StoreNeedsUpgrade(
            f"{path}: the store was written by an earlier release of this tool and must be brought up to date once "
            f"before it can be used, but this user may not write in {path.parent} ({exc.reason}); nothing was "
            f"changed; run {invocation.command(f'upgrade --db {path}')} once as a user who may write there and "
            "holds the audit key"
        ) from None
    logger.info("%s", _upgrade_note(path, found))
    return True


def connect_read_only(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store as it is now.

    DuckDB shares one database instance between all connections to the same path in a
    process, so a connection opened after a swap would still read the old file while any
    older connection lives. Opening through a private hard link (removed once open; the open
    file keeps the data) gives every connection the store of its moment."""
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no store at {path}; build it with: {invocation.command(f'build --db {path}')}")
    input_file.regular_file(path, "a store (a DuckDB file)")  # DuckDB would wait on a named pipe for ever
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
    except duckdb.Error as exc:  # held by another program; truncated, overwritten, or not a DuckDB file at all
        reason = str(exc).replace(str(file), str(named))
        if any(text in reason for text in _IN_USE_TEXT):
            raise StoreInUse(named, reason) from None
        raise StoreDamaged(named, reason) from None


def refuse_if_held_open(db_path: Path | str) -> None:
    """For a writer that does not copy the live store (a restore): refuse, as every other writer
    does, while another program holds it open for writing. A store DuckDB cannot open at all is
    no reason to refuse: a damaged store is what a restore is for."""
    path = Path(db_path)
    if not path.exists():
        return
    try:
        connect_read_only(path).close()
    except StoreInUse:
        raise
    except (StoreProblem, OSError):
        return


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Serialise writers: two loads at once would each copy the same old store and the
    second swap would silently drop the first load.

    An operating-system lock (``filelock``: flock on POSIX, msvcrt on Windows), so a writer that
    dies releases it with its process; the lock file stays, and its presence means nothing.
    A writer waits ``WRITER_LOCK_TIMEOUT_S`` at most, then says who to wait for rather than hang."""
    db_path = Path(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store_problem(exc, db_path) or exc from None
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
    except filelock.Timeout:  # an OSError too: caught first
        raise WriterBusy(
            f"{db_path}: another load or approval is running (it has held the writer lock {lock_path} "
            f"for more than {wait:g} s); nothing was changed; try again once it has finished"
        ) from None
    except OSError as exc:  # a read-only folder, or one this user may not write in
        raise store_problem(exc, db_path) or exc from None
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
def swapped_store(
    db_path: Path | str, *, fresh: bool = False, source: Path | None = None, seal_legacy: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the store (or a new empty store when
    ``fresh``, or a copy of ``source`` when restoring a backup), brought up to this release's
    schema; on a clean exit the copy replaces the live store atomically, on any exception it is
    thrown away and the live store is untouched.

    Call it holding ``writer_lock``. The caller owns the transaction inside; this only
    owns the file."""
    target = Path(db_path)
    origin = source if source is not None else target
    scratch = _scratch_path(target)
    try:
        _remove_stale_scratch(target)
        if source is not None or (target.exists() and not fresh):
            # Held open while copied: DuckDB then keeps any other program from writing it meanwhile
            # (and one that already is, or a file DuckDB cannot open at all, is refused here).
            holding = connect_read_only(origin)
            try:
                shutil.copyfile(origin, scratch)
            finally:
                holding.close()
        con = duckdb.connect(str(scratch))
        try:
            if scratch.stat().st_size:
                verify_readable(con, origin)  # never carry damage into the next store
            apply_sql(con, origin, seal_legacy=seal_legacy)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(scratch)
        if target.exists():  # the new store keeps the live one's permissions (0640 stays 0640 under any umask)
            shutil.copymode(target, scratch)
        os.replace(scratch, target)
        _fsync_dir(target.parent)
    except (OSError, duckdb.Error, Refused) as exc:
        problem = _write_problem(exc, target, origin)
        if problem is None:
            raise
        raise problem from None
    finally:
        _discard(scratch)


def _write_problem(exc: BaseException, target: Path, origin: Path) -> Refused | Failed | None:
    """A write's failure said as what it means for the store: no room or no permission beside
    the live store, or damage in the store being copied (a block the checks could not reach).

    The system's error may sit under another: a refusal of the file whose reason was DuckDB's
    (ValidationFailed), or a rollback that failed after the commit that hit the full disk."""
    chain = list(_causes(exc))
    for link in chain:
        if isinstance(link, (OSError, duckdb.Error)) and _says(link, _FULL_ERRNOS | _DENIED_ERRNOS, _FULL_TEXT + _DENIED_TEXT):
            return StoreUnwritable(target, link)
    if isinstance(exc, Refused) and not isinstance(exc.__cause__, duckdb.Error):
        return None  # already says what it means
    damage = next((link for link in chain if isinstance(link, duckdb.Error)), None)
    if damage is not None and (_reads_as_damage(damage) or "not a valid DuckDB database file" in str(damage)):
        return StoreDamaged(origin, str(damage))
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from or while handling, as Python's traceback shows them."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)


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
