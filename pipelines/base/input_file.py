"""Reading a file someone named on the command line: the one rule every command that reads an
input file goes through (load, check, build's data files, plan --changes, a backup's checksum);
the store named by --db and a backup to restore get the same regular-file check, without the
size limit (DuckDB reads them itself, a block at a time).

Only a regular file is read. A named pipe would block the command until something writes to it,
a device such as /dev/zero never ends, and a folder is a slip of the keyboard: each is refused
before a byte is read. A file over the limit is refused from its size alone, so a 1 GB file costs
no memory; and at most the limit and one byte more are ever read, so a file that grows while it
is read (or a size the system reports wrongly) is still bounded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipelines.base import config
from pipelines.base.refusals import Refused

# Opening a named pipe for reading waits for a writer unless the open does not block; fstat on the
# open file then says what it is. Windows has no such flag and no named pipes in its file system.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileRefused(Refused):
    """The named file is not one the tool will read (not a regular file, or too large); nothing
    was read and nothing was changed."""


def limit_bytes() -> int:
    return config.MAX_FILE_MB * 1_000_000


def _what_it_is(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_file(path: Path | str, expected: str = "a CSV or XLSX file") -> os.stat_result:
    """The file's status, once it is known to be a regular file (a link to one is followed).
    Raises FileNotFoundError for a missing file, InputFileRefused for anything else."""
    path = Path(path)
    status = os.stat(path)
    _refuse_unless_regular(path, status, expected)
    return status


def _refuse_unless_regular(path: Path, status: os.stat_result, expected: str) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise InputFileRefused(
            f"{path}: expected {expected}, a regular file; this is {_what_it_is(status.st_mode)}; nothing was read or changed"
        )


def _refuse_size(path: Path, size: int | None, limit: int) -> None:
    found = f"this one is {size / 1_000_000:.1f} MB" if size is not None else "this one grew past that while it was read"
    raise InputFileRefused(f"{path}: expected a file of at most {limit / 1_000_000:g} MB ({found}); nothing was read or changed")


def read_input(path: Path | str, expected: str = "a CSV or XLSX file", *, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (default: config.MAX_FILE_MB)."""
    path = Path(path)
    limit = limit_bytes() if limit is None else limit
    status = regular_file(path, expected)  # before opening: a pipe or a folder is never opened
    if status.st_size > limit:
        _refuse_size(path, status.st_size, limit)
    fd = os.open(path, os.O_RDONLY | _NO_WAIT | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", buffering=0, closefd=True) as handle:
        opened = os.fstat(handle.fileno())  # what was opened, should the name now point elsewhere
        _refuse_unless_regular(path, opened, expected)
        if opened.st_size > limit:
            _refuse_size(path, opened.st_size, limit)
        # One read of the size the file says it has, then reads until its end or the limit.
        chunks, total, ask = [], 0, min(opened.st_size, limit) + 1
        while total <= limit and (chunk := handle.read(min(ask, limit + 1 - total))):
            chunks.append(chunk)
            total, ask = total + len(chunk), 1 << 20
    if total > limit:
        _refuse_size(path, None, limit)
    return b"".join(chunks)
