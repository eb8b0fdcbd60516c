"""The machine lets a command down: the store's folder is read-only, the disk is full, another
program holds the store open for writing, or the store is damaged. Each ends in one line naming
the store and what to do (never a traceback, never DuckDB's private `reader-<uuid>` link or a
writer's copy), with the exit codes of the README (2 refused: busy, damaged; 1 anything else: a
full disk, a read-only folder), the dashboard shows one message, and the store is exactly as it
was with no copy left beside it.

How each is made real (tests run as root here, where chmod stops nothing):
- read-only folder: a read-only bind mount as root, chmod 0555 otherwise; where neither is
  possible, writes into the folder fail at the operating-system calls Python makes (os.open and
  open), which is where a read-only folder stops a writer (before DuckDB is ever reached);
- full disk: a small tmpfs filled to leave a chosen headroom, as root; otherwise the command runs
  in a process whose file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) leaves that headroom, so the
  system answers EFBIG where a full disk answers ENOSPC;
- store held: a second Python process with duckdb.connect(store) open;
- damage: bytes cut off or overwritten in place.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from storecheck import file_digest, table_checksums
from streamlit.testing.v1 import AppTest

from pipelines.base import config
from pipelines.cli.main import main
from pipelines.store import backup, db

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
ALLOCATE = ["allocate", "--total", "10000", "--include-pending", "--as-of", "2025-09-01"]
CENSUS = "urn,census_date,nc_year,headcount\n100001,2026-01-15,10,123\n"


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


def _census(folder: Path) -> Path:
    (folder / "input").mkdir(exist_ok=True)  # not beside the store, whose folder is compared
    path = folder / "input" / "census_new.csv"
    path.write_text(CENSUS)
    return path


def _state(store: Path) -> tuple[str, list[str]]:
    """The store's bytes and what lies beside it: a failed write changes neither (the writer lock's
    file may appear: it stays between writers and means nothing)."""
    beside = sorted(p.name for p in store.parent.iterdir() if p.name != f"{store.name}.lock" and p.name != "input")
    return file_digest(store), beside


def _internal_names(text: str) -> list[str]:
    return [word for word in ("reader-", ".tmp", "Traceback") if word in text]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# --- (a) the store's folder is read-only ----------------------------------------------------------


def _writes_refused(folder: Path) -> bool:
    try:
        (folder / ".probe").touch()
    except OSError:
        return True
    (folder / ".probe").unlink()
    return False


@contextlib.contextmanager
def _read_only_mount(source: Path, target: Path) -> Iterator[bool]:
    target.mkdir()
    bound = subprocess.run(["mount", "--bind", source, target], capture_output=True).returncode == 0
    try:
        if bound:
            remounted = subprocess.run(["mount", "-o", "remount,ro,bind", target], capture_output=True).returncode == 0
            yield remounted and _writes_refused(target)
        else:
            yield False
    finally:
        if bound:
            subprocess.run(["umount", "-l", target], capture_output=True)


@contextlib.contextmanager
def _writes_fail_under(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A read-only folder as Python's own calls meet it: opening a file there to write or create
    it fails with EROFS, and so does making a link or a folder there."""
    real_os_open, real_open = os.open, builtins.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def inside(path) -> bool:
        return isinstance(path, (str, os.PathLike)) and Path(os.path.abspath(path)).parent == folder

    def refuse(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def os_open(path, flags, *args, **kwargs):
        if inside(path) and flags & writing:
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def open_(file, mode="r", *args, **kwargs):
        if inside(file) and any(c in mode for c in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "link", lambda src, dst, *a, **k: refuse(dst))
    yield


@pytest.fixture
def read_only_store(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test store in a folder this process cannot write in (see the module docstring)."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copyfile(store, source / "store.duckdb")
    if not _is_root():
        source.chmod(0o555)
        try:
            assert _writes_refused(source)
            yield source / "store.duckdb"
        finally:
            source.chmod(0o755)
        return
    with _read_only_mount(source, tmp_path / "read_only") as mounted:
        if mounted:
            yield tmp_path / "read_only" / "store.duckdb"
            return
    with _writes_fail_under(source, monkeypatch):
        yield source / "store.duckdb"


def test_a_load_into_a_read_only_folder_fails_in_one_line_and_changes_nothing(read_only_store, tmp_path, capsys):
    census = _census(tmp_path)
    before = _state(read_only_store)
    assert main(["load", "census", str(census), "--db", str(read_only_store)]) == 1
    err = capsys.readouterr().err
    errors = _error_lines(err)
    assert len(errors) == 1, err
    assert errors[0].startswith(f"error: {read_only_store}: this tool may not write in {read_only_store.parent} (")
    assert "the store is as it was" in errors[0] and "let the user running it write there" in errors[0]
    assert not _internal_names(err)
    assert _state(read_only_store) == before


def test_a_store_in_a_read_only_folder_can_still_be_read(read_only_store, capsys):
    assert main([*ALLOCATE, "--db", str(read_only_store)]) == 0
    assert "Total £10,000.00 equals the pot" in capsys.readouterr().out


def test_a_backup_into_a_read_only_folder_leaves_no_backup(store, read_only_store, capsys):
    before = _state(read_only_store)
    assert main(["backup", "--out", str(read_only_store.parent), "--db", str(store)]) == 1
    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and "the backup could not be written" in errors[0] and "no backup was made" in errors[0]
    assert _state(read_only_store) == before


def test_a_copy_that_cannot_be_made_beside_the_store_leaves_nothing(store, tmp_path, monkeypatch, capsys):
    """The lock file can be written but the copy cannot (a folder whose lock file was made
    writable for the service): the refusal comes from making the copy."""

    def denied(source, target, *args, **kwargs):
        Path(target).write_bytes(b"part of a copy")  # as far as a copy gets before the system says no
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))

    monkeypatch.setattr(db.shutil, "copyfile", denied)
    before = _state(store)
    assert main(["load", "census", str(_census(tmp_path)), "--db", str(store)]) == 1
    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and f"{store}: this tool may not write in {store.parent} (Permission denied)" in errors[0]
    assert _state(store) == before


@pytest.fixture
def from_an_earlier_release(store: Path) -> Path:
    """The store as an earlier release left it: its SQL stamp differs, so the next user writes it."""
    con = duckdb.connect(str(store))
    try:
        con.execute("UPDATE store_sql SET fingerprint = 'an earlier release'")
    finally:
        con.close()
    return store


def test_a_dashboard_on_a_read_only_folder_says_why_it_cannot_bring_the_store_up_to_date(
    from_an_earlier_release, read_only_store, monkeypatch
):
    before = _state(read_only_store)
    monkeypatch.setattr(config, "DEFAULT_DB", read_only_store)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]
    messages = [e.value.replace("\\", "") for e in app.error]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{read_only_store}: the store was written by an earlier release"), messages
    assert f"this user may not write in {read_only_store.parent}" in messages[0]
    assert not _internal_names(messages[0])
    assert _state(read_only_store) == before


# --- (b) the disk is full ------------------------------------------------------------------------


def _can_mount_tmpfs(folder: Path) -> bool:
    if not _is_root() or not shutil.which("mount"):
        return False
    folder.mkdir(exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder], capture_output=True).returncode:
        return False
    subprocess.run(["umount", folder], capture_output=True)
    return True


# Where a write runs out of room depends on how much there is: making the copy itself, DuckDB's
# log at commit, or its checkpoint; each must end the same way. Bytes free beyond a whole copy.
ROOM = {"no room for the copy": None, "room for the copy alone": 64_000, "a little more": 600_000}


@contextlib.contextmanager
def _full_disk(store: Path, folder: Path, room: int | None) -> Iterator[tuple[Path, int | None]]:
    """A copy of ``store`` where a write has ``room`` bytes beyond a whole copy of the store (None:
    1 MB, less than a copy), and the file size limit to run the command line under (None: none).
    A filled tmpfs where this process may mount one; else a file size limit that stops the
    writer's copy at the same size."""
    size = store.stat().st_size
    allowed = 1_000_000 if room is None else size + room
    mount = folder / "disk"
    if _can_mount_tmpfs(mount):
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={2 * size + allowed + 4_000_000}", "tmpfs", mount], check=True)
        try:
            shutil.copyfile(store, mount / "store.duckdb")
            with open(mount / "filler", "wb") as handle:
                handle.write(b"\0" * (shutil.disk_usage(mount).free - allowed))
            yield mount / "store.duckdb", None
        finally:
            subprocess.run(["umount", "-l", mount], capture_output=True)
        return
    mount.mkdir(exist_ok=True)
    shutil.copyfile(store, mount / "store.duckdb")
    yield mount / "store.duckdb", allowed


LIMITED = """
import resource, runpy, signal, sys
limit = int(sys.argv.pop(1))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv[0] = "pipelines"
runpy.run_module("pipelines", run_name="__main__", alter_sys=True)
"""


def _run_on(limit: int | None, *argv: str) -> tuple[int, str]:
    command = [sys.executable, "-m", "pipelines"] if limit is None else [sys.executable, "-c", LIMITED, str(limit)]
    done = subprocess.run([*command, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr


@pytest.mark.parametrize("room", ROOM)
def test_a_load_onto_a_full_disk_fails_in_one_line_and_changes_nothing(store, tmp_path, room):
    census = _census(tmp_path)
    with _full_disk(store, tmp_path, ROOM[room]) as (full, limit):
        before, tables = _state(full), table_checksums(full)
        code, err = _run_on(limit, "load", "census", str(census), "--db", str(full))
        assert code == 1, err
        errors = _error_lines(err)
        assert len(errors) == 1, err
        assert errors[0].startswith(f"error: {full}: ") and "the store is as it was" in errors[0]
        assert ("no room left to write in" in errors[0]) if limit is None else ("ulimit -f" in errors[0])
        assert not _internal_names(err), err
        assert _state(full) == before and table_checksums(full) == tables


def test_a_backup_onto_a_full_disk_leaves_no_partial_file(store, tmp_path):
    with _full_disk(store, tmp_path, None) as (full, limit):
        target = full.parent / "backups"
        code, err = _run_on(limit, "backup", "--out", str(target), "--db", str(full))
        assert code == 1, err
        errors = _error_lines(err)
        assert len(errors) == 1 and "the backup could not be written" in errors[0] and "no backup was made" in errors[0], err
        assert list(target.iterdir()) == []


# --- (c) another program holds the store open for writing ---------------------------------------


@pytest.fixture
def held_open(store) -> Iterator[subprocess.Popen]:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    try:
        yield holder
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "argv", [["load", "census", "{census}"], ALLOCATE, ["approve", *ALLOCATE[1:], "--by", "Chair"], ["audit"]]
)
def test_a_store_another_program_holds_is_refused_in_one_line_naming_it(store, held_open, tmp_path, capsys, argv):
    before = _state(store)
    args = [a.format(census=_census(tmp_path)) for a in argv]
    assert main([*args, "--db", str(store)]) == 2
    err = capsys.readouterr().err
    errors = _error_lines(err)
    assert len(errors) == 1, err
    assert errors[0].startswith(f"error: {store}: another program (") and f"process {held_open.pid})" in errors[0]
    assert "has the store open for writing" in errors[0] and "close that program" in errors[0] and "damaged" not in errors[0]
    assert not _internal_names(err)
    assert _state(store) == before


def test_the_store_is_as_it_was_once_the_other_program_lets_go(store, held_open, tmp_path, capsys):
    digest = file_digest(store)
    assert main(["load", "census", str(_census(tmp_path)), "--db", str(store)]) == 2
    held_open.kill()
    held_open.wait()
    assert file_digest(store) == digest
    before = table_checksums(store)
    assert main(["load", "census", str(_census(tmp_path)), "--db", str(store)]) == 0
    assert table_checksums(store) != before


def test_the_dashboard_shows_a_store_another_program_holds_as_one_message(store, held_open, monkeypatch):
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]
    messages = [e.value for e in app.error]
    assert len(messages) == 1 and "has the store open for writing" in messages[0] and str(held_open.pid) in messages[0]


# --- (d) the store is damaged ---------------------------------------------------------------------


def _cut(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _overwrite_middle(path: Path) -> None:
    rng = random.Random(17)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        for offset in range(size // 4, size, size // 8):
            handle.seek(offset)
            handle.write(rng.randbytes(2048))


def _overwrite_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(random.Random(19).randbytes(8192))


DAMAGE = {"cut in half": _cut, "middle overwritten": _overwrite_middle, "header overwritten": _overwrite_header}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_is_named_as_itself_on_every_command(store, tmp_path, capsys, damage):
    DAMAGE[damage](store)
    before = _state(store)
    for argv in (ALLOCATE, ["gaps"], ["load", "census", str(_census(tmp_path))], ["approve", *ALLOCATE[1:], "--by", "Chair"]):
        assert main([*argv, "--db", str(store)]) == 2, argv
        err = capsys.readouterr().err
        errors = _error_lines(err)
        assert len(errors) == 1, (argv, err)
        assert errors[0].startswith(f"error: {store}: the store is damaged") and "python -m pipelines restore" in errors[0]
        assert not _internal_names(err), (argv, err)
        assert _state(store) == before, argv


def test_a_damaged_backup_is_named_as_itself(store, tmp_path, capsys):
    made = backup.backup(store, tmp_path / "nightly.duckdb")
    _cut(made.path)
    backup._write_checksum(made.path, backup.sha256_of(made.path))  # damaged before it was sealed
    before = _state(store)
    assert main(["restore", str(made.path), "--db", str(store)]) == 2
    err = capsys.readouterr().err
    errors = _error_lines(err)
    assert len(errors) == 1 and errors[0].startswith(f"error: {made.path}: DuckDB cannot") and str(made.path) in errors[0]
    assert not _internal_names(err), err
    assert _state(store) == before


def test_a_store_damaged_while_the_dashboard_has_it_open_shows_one_message(store, monkeypatch):
    """Damage the checks at start-up could not see (the file replaced under a running dashboard)
    is met by a page's query: said as the store's damage, not as a page fault."""
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.error and not app.exception
    damaged = store.with_name("damaged.duckdb")
    shutil.copyfile(store, damaged)
    _overwrite_middle(damaged)
    os.replace(damaged, store)  # a new file, as a swap gives: the dashboard opens it afresh
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    messages = [e.value.replace("\\", "") for e in app.error]
    assert len(messages) == 1 and messages[0].startswith(f"{store}: the store is damaged"), messages
    assert "Something went wrong" not in messages[0] and not _internal_names(messages[0])


def test_the_translation_names_the_store_not_a_private_link(tmp_path):
    store = tmp_path / "store.duckdb"
    said = db.StoreDamaged(store, f'IO Error: Could not read enough bytes from file "{store}.reader-{"ab" * 16}": attempted')
    assert f'"{store}"' in str(said) and "reader-" not in str(said)
    copy = db.store_problem(
        duckdb.IOException(f'Could not write file "{store}.{"cd" * 16}.tmp.wal": No space left on device'), store
    )
    assert isinstance(copy, db.StoreUnwritable) and ".tmp" not in str(copy) and "(No space left on device)" in str(copy)
