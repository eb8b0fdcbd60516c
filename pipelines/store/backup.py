"""Backups a council can take every night and restore from in a hurry.

A backup is a byte copy of the store file. Writers never change the live file in place (they swap
a new one in whole), so a copy of it is always a consistent store; taking it under the writer lock
makes it the newest one rather than one a load is about to replace, and reading every row first
means a damaged store is refused instead of quietly becoming the newest backup (and, with
``--keep``, pushing a good one out). Beside FILE goes FILE.sha256, one line as ``sha256sum``
writes it, so the copy can be checked anywhere (``sha256sum -c``, or ``Get-FileHash`` on Windows).

A restore checks the backup before it touches anything: the checksum matches, DuckDB opens it and
reads every row, it has the tables of a store, and its schema version is one this release knows
(an older backup is brought forward on the way in, as any older store is). It then goes in through
the same copy-and-swap as a load, with an audit entry in the restored store saying what was
restored and what it replaced, and the replaced store is kept beside the live one, untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.base import config, free_text, input_file, invocation
from pipelines.base.refusals import Failed
from pipelines.store import audit_chain, audit_key, db, record_tables

logger = logging.getLogger(__name__)

BACKUP_PREFIX = "store-backup-"  # backups named in a folder: store-backup-20261128T021500Z.duckdb
BACKUP_NAME = re.compile(re.escape(BACKUP_PREFIX) + r"\d{8}T\d{6}Z\.duckdb")
CHUNK = 1 << 20


class BackupRefused(db.StoreProblem):
    """The file cannot be restored (or a backup cannot be made); the live store is as it was."""


class BackupFailed(Failed):
    """The backup could not be written (no room, no permission where it goes); no backup was made
    and nothing half-written is left behind; the store was only read."""


@dataclass(frozen=True)
class Backup:
    path: Path
    checksum_path: Path
    sha256: str
    size: int
    schema_version: int
    seconds: float
    removed: tuple[Path, ...] = ()  # older backups deleted to keep the newest N


@dataclass(frozen=True)
class Restored:
    sha256: str
    schema_version: int  # the backup's, before it was brought up to this release
    kept: Path | None  # the store it replaced, kept as it was
    seconds: float


def checksum_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".sha256")


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def backup(db_path: Path | str, out: Path | str, *, keep: int | None = None) -> Backup:
    """Copy the store to ``out`` (a file, or a folder that gets a file named by the time) and
    write its checksum beside it; with ``keep``, delete all but the newest ``keep`` backups
    this command named in that folder."""
    db_path, out = Path(db_path), Path(out)
    if not db_path.exists():
        raise FileNotFoundError(f"no store at {db_path}; nothing to back up")
    if keep is not None and (keep < 1 or not _is_folder(out)):
        raise BackupRefused(
            f"--keep {keep}: give a number from 1 up, and a folder as --out, not a .duckdb file "
            f"(only backups this command named in that folder are ever deleted)"
        )
    started = time.perf_counter()
    with db.writer_lock(db_path):
        version = db.check_store(db_path)  # never back up damage: it would be the newest backup
        target = out / f"{BACKUP_PREFIX}{_stamp()}.duckdb" if _is_folder(out) else out
        while _is_folder(out) and target.exists():  # a second backup within the second: never over the first
            time.sleep(0.1)
            target = out / f"{BACKUP_PREFIX}{_stamp()}.duckdb"
        if target.resolve() == db_path.resolve():
            raise BackupRefused(f"{target}: that is the store itself; back it up to another file or a folder")
        try:
            digest, size = _write_backup(db_path, target)
        except OSError as exc:
            advice = "free some space there" if db.disk_full(exc) else "let this user write there"
            raise BackupFailed(
                f"{target}: the backup could not be written ({exc.strerror or exc}); no backup was made "
                f"and the store was only read; {advice}, or back up to another folder"
            ) from None
    removed = _prune(out, keep) if keep else ()
    result = Backup(target, checksum_path(target), digest, size, version, time.perf_counter() - started, removed)
    logger.info(
        "backed up %s to %s: %d bytes, sha256 %s, schema version %d, %.2f s%s",
        db_path,
        target,
        size,
        digest[:12],
        version,
        result.seconds,
        f"; deleted {len(removed)} older backups" if removed else "",
    )
    return result


def _write_backup(db_path: Path, target: Path) -> tuple[str, int]:
    """The copy and its checksum file, or (should either fail) neither."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        digest, size = _copy_and_hash(db_path, partial)
        os.replace(partial, target)
        try:
            _write_checksum(target, digest)
        except OSError:  # a backup nobody can check is no backup
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return digest, size


def _is_folder(out: Path) -> bool:
    """A backup file is named *.duckdb; anything else is a folder (made if missing), so a nightly
    job's first run does not write a file called "backups"."""
    return out.is_dir() or out.suffix.lower() != ".duckdb"


def _copy_and_hash(source: Path, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    return digest.hexdigest(), size


def _write_checksum(target: Path, digest: str) -> None:
    sidecar = checksum_path(target)
    partial = sidecar.with_name(sidecar.name + ".partial")
    try:
        with open(partial, "w", encoding="ascii", newline="\n") as handle:
            handle.write(f"{digest}  {target.name}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, sidecar)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _prune(folder: Path, keep: int) -> tuple[Path, ...]:
    """Only files this command named (the name carries the time, so they sort oldest first)."""
    named = sorted(p for p in folder.iterdir() if BACKUP_NAME.fullmatch(p.name))
    removed = tuple(named[:-keep])
    for old in removed:
        for path in (old, checksum_path(old)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return removed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_backup(backup_file: Path | str) -> tuple[str, int]:
    """Check a backup without changing anything; returns its sha256 and schema version, or
    raises BackupRefused saying what is wrong with it."""
    backup_file = Path(backup_file)
    try:
        input_file.regular_file(backup_file, "a backup file (*.duckdb)")  # a pipe would never end
    except FileNotFoundError:
        raise FileNotFoundError(f"no backup file at {backup_file}") from None
    sidecar = checksum_path(backup_file)
    if not sidecar.is_file():
        raise BackupRefused(
            f"{backup_file}: there is no checksum file {sidecar.name} beside it, so it cannot be "
            f"checked; nothing was changed (restore a file written by: {invocation.command('backup')})"
        )
    try:
        line = input_file.read_input(sidecar, "a checksum file", limit=config.MAX_CHECKSUM_FILE_BYTES)
    except input_file.InputFileRefused:
        raise BackupRefused(
            f"{backup_file}: {sidecar.name} is not a checksum file (one line as sha256sum writes it); nothing was changed"
        ) from None
    expected = line.decode("ascii", errors="replace").split()[:1]
    if not expected or not re.fullmatch(r"[0-9a-f]{64}", expected[0].lower()):
        raise BackupRefused(f"{backup_file}: {sidecar.name} holds no sha256; nothing was changed")
    actual = sha256_of(backup_file)
    if actual != expected[0].lower():
        raise BackupRefused(
            f"{backup_file}: its sha256 ({actual[:12]}...) does not match {sidecar.name} "
            f"({expected[0][:12]}...): the file has changed or been damaged since the backup; "
            f"nothing was changed; restore another backup"
        )
    try:
        con = db.connect_read_only(backup_file)
    except db.StoreDamaged as damaged:
        raise BackupRefused(
            f"{backup_file}: DuckDB cannot open the backup ({damaged.reason}); nothing was changed; restore another backup"
        ) from None
    try:
        try:
            db.verify_readable(con, backup_file, what="the backup")
        except db.StoreDamaged as damaged:
            raise BackupRefused(
                f"{backup_file}: DuckDB cannot read all of the backup ({damaged.reason}); nothing was "
                f"changed; restore another backup"
            ) from None
        tables = {r[0] for r in con.execute(db.read_sql("load/store_tables.sql")).fetchall()}
        missing = [t for t in db.REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupRefused(f"{backup_file}: not a store of this tool (no {', '.join(missing)} table); nothing was changed")
        try:
            version = db.store_version(con)
        except duckdb.Error:  # a schema_version table of some other shape
            raise BackupRefused(
                f"{backup_file}: not a store of this tool (its schema version cannot be read); nothing was changed"
            ) from None
        if version > db.current_schema_version():
            raise BackupRefused(
                f"{backup_file}: the backup was written by a newer release of this tool (schema version "
                f"{version}; this release knows up to {db.current_schema_version()}); upgrade the tool "
                f"to restore it; nothing was changed"
            )
        unlike = _unlike_a_store(con, version)
        if unlike:
            raise BackupRefused(f"{backup_file}: not a store of this tool ({unlike}); nothing was changed")
    finally:
        con.close()
    return actual, version


def _unlike_a_store(con: duckdb.DuckDBPyConnection, version: int) -> str | None:
    """How the backup's tables differ from a store's, in words; None when they do not. Each table
    must have the columns and types this release's schema gives it (sql/schema, made here in
    memory), except, in a backup of an earlier release, columns its upgrades (the migrations after
    its version) name: an upgrade adds or changes only the columns its SQL names."""
    made = duckdb.connect()
    try:
        for file in (f for f in db.sql_files() if f.parent.name == "schema"):
            made.execute(file.read_text(encoding="utf-8"))
        wanted = _columns(made)
    finally:
        made.close()
    found = _columns(con)
    upgrades = " ".join(file.read_text(encoding="utf-8") for number, file in db.migrations() if number > version)
    named = set(re.findall(r"\w+", upgrades.lower()))
    for table in db.REQUIRED_TABLES:
        have, want = found.get(table, {}), wanted[table]
        missing = [c for c in want if c not in have and c not in named]
        foreign = [c for c in have if c not in want and c not in named]
        retyped = [
            f"{c} as {kind}, not {want[c]}" for c, kind in have.items() if c in want and kind != want[c] and c not in named
        ]
        parts = [f"lacks {_listed(missing)}"] if missing else []
        parts += [f"has {_listed(foreign)}, which a store's has not"] if foreign else []
        parts += [f"has {_listed(retyped)}"] if retyped else []
        if parts:
            return f"its {table} table " + " and ".join(parts)
    return None


def _listed(columns: list[str], shown: int = 4) -> str:
    more = f" and {len(columns) - shown} more" if len(columns) > shown else ""
    return ("the column " if len(columns) == 1 else "the columns ") + ", ".join(columns[:shown]) + more


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """table -> column -> type, of the tables behind ``con``."""
    columns: dict[str, dict[str, str]] = {}
    for table, column, kind in con.execute(db.read_sql("load/store_columns.sql")).fetchall():
        columns.setdefault(table, {})[column] = kind
    return columns


def restore(db_path: Path | str, backup_file: Path | str, *, actor: str, accept_unverified: bool = False) -> Restored:
    """Replace the store with a checked backup (brought up to this release on the way in),
    recording the restore in the restored store's audit log. The store it replaces, damaged or
    not, is kept beside it under a name with the time, for whoever needs to look at it.

    The backup's audit log must verify under the key in use: a backup sealed with another key, or
    with its log edited, would otherwise come back as the store of record. ``accept_unverified``
    takes it anyway, and the restore's own entry (sealed with the key) says so and vouches for
    exactly the entries taken on, so they are reported as not verified from then on."""
    db_path, backup_file = Path(db_path), Path(backup_file)
    started = time.perf_counter()
    digest, version = verify_backup(backup_file)
    with db.writer_lock(db_path):
        db.refuse_if_held_open(db_path)
        try:
            kept = _keep_replaced(db_path)
        except OSError as exc:  # the kept copy goes beside the store: the same folder, the same disk
            raise db.store_problem(exc, db_path) or exc from None
        legacy = version < audit_chain.KEYED_SINCE_MIGRATION
        try:
            with db.swapped_store(db_path, source=backup_file, seal_legacy=accept_unverified) as con:
                con.begin()
                key, evidence = _backup_log_verified(con, backup_file, accept_unverified)
                if legacy and evidence is None:  # sealed on the way in: nothing about it was verified
                    evidence = {"sealed_unverified_at_restore": {"schema_version": version}}
                audit_chain.append(
                    con,
                    actor,
                    "restore",
                    "store",
                    f"restored from backup {backup_file.name} (sha256 {digest}, schema version "
                    f"{version}); {_replaced_in_words(kept)}"
                    + (
                        "; its audit log, from before the keyed seal, was sealed as it stood (accepted unverified)"
                        if legacy
                        else "; its audit log did NOT verify and was accepted unverified"
                        if evidence
                        else ""
                    ),
                    evidence=evidence,
                    key=key,
                )
                con.commit()
        except db.StoreNeedsSealing:
            if kept is not None:
                with contextlib.suppress(FileNotFoundError):
                    kept.unlink()
            raise BackupRefused(
                f"{backup_file}: its audit log is from before the keyed seal (schema version {version}), so nothing in it "
                "can be verified under the audit key; nothing was changed; if you know an earlier release wrote it, "
                "restore it with --accept-unverified (recorded in the audit log), which seals its log as it stands"
            ) from None
        except BaseException:
            if kept is not None:  # the live store is still the one kept: no second copy needed
                with contextlib.suppress(FileNotFoundError):
                    kept.unlink()
            raise
    result = Restored(digest, version, kept, time.perf_counter() - started)
    logger.info(
        "restored %s from %s (sha256 %s, schema version %d) by %s in %.2f s; the replaced store is kept as %s",
        db_path,
        backup_file,
        digest[:12],
        version,
        actor,
        result.seconds,
        kept,
    )
    return result


def _backup_log_verified(
    con: duckdb.DuckDBPyConnection, backup_file: Path, accept_unverified: bool
) -> tuple[audit_key.Key, dict | None]:
    """The key to seal the restore with, and the evidence of an accepted unverified log (None
    when it verified). Refused when the log does not verify and that was not accepted."""
    key = audit_key.load_key()
    if key is None:
        audit_chain.writer_key(con)  # refuses, naming where it looked (a backup always has entries)
        raise AssertionError("unreachable: a restored store has audit entries")
    verdict = audit_chain.verify(con, key)
    if verdict.intact:
        return key, None
    if not accept_unverified:
        raise BackupRefused(
            f"{backup_file}: its audit log does not verify under the audit key in use (key id {key.key_id}, from "
            f"{key.source}): {verdict.summary()}; nothing was changed; restore a backup that verifies, point "
            f"{audit_key.KEY_FILE_ENV} at the key it was sealed with, or, having checked it another way, restore it "
            "anyway with --accept-unverified (recorded in the audit log)"
        )
    rows = con.execute(db.read_sql("reports/audit_entries.sql")).fetchall()
    through = max((row[0] for row in rows), default=0)
    return key, {
        "accepted_unverified": {
            "through_seq": through,
            "digest": audit_chain.entries_digest(rows),
            "reason": verdict.summary()[:500],
        }
    }


def _keep_replaced(db_path: Path) -> Path | None:
    if not db_path.exists():
        return None
    stamp, n = _stamp(), 1
    kept = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}{db_path.suffix}")
    while kept.exists():  # two restores within a second: never overwrite the first one kept
        n += 1
        kept = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}-{n}{db_path.suffix}")
    try:
        os.link(db_path, kept)  # the same bytes under a second name: instant, and the swap leaves them alone
    except OSError:
        try:
            shutil.copyfile(db_path, kept)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                kept.unlink()
            raise
    return kept


def _replaced_in_words(kept: Path | None) -> str:
    if kept is None:
        return "there was no store before"
    try:
        con = db.connect_read_only(kept)
        try:
            last = db.scalar(con, db.read_sql("records/audit_last_seq.sql"))
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - a damaged store is why people restore; say so, do not fail
        return f"the store it replaced (unreadable) is kept as {kept.name}"
    return f"the store it replaced (its audit log ran to entry {last or 0}) is kept as {kept.name}"


# --- command line --------------------------------------------------------------------------------


def backup_command(args: argparse.Namespace) -> int:
    made = backup(args.db, args.out, keep=args.keep)
    print(
        f"backed up {args.db} to {made.path} ({made.size / 1e6:.1f} MB, schema version {made.schema_version}, "
        f"{made.seconds:.2f} s); checksum in {made.checksum_path.name}: sha256 {made.sha256}"
    )
    for old in made.removed:
        print(f"deleted older backup {old.name}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    actor = free_text.clean(args.by, free_text.RESTORER, required=False) or record_tables.command_line_actor()
    done = restore(args.db, args.file, actor=actor, accept_unverified=args.accept_unverified)
    print(
        f"restored {args.db} from {args.file} (sha256 {done.sha256[:12]}, schema version {done.schema_version}, "
        f"{done.seconds:.2f} s); recorded in the audit log"
    )
    if done.kept is not None:
        print(f"the store it replaced is kept as {done.kept} (delete it once you are satisfied)", file=sys.stderr)
    return 0
