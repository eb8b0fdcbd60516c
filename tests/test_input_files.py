"""Input files named on the command line: only a regular file is read, one over the size limit is
refused from its size before any of it is read, and reading stops one byte past the limit however
much the file grows meanwhile (pipelines/base/input_file.py, used by load, check, build, plan --changes
and restore)."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from storecheck import file_digest, table_checksums

from pipelines.base import config, input_file
from pipelines.base.input_file import InputFileRefused
from pipelines.cli.main import main
from pipelines.ingest.load import Upload
from pipelines.store import backup

ROOT = Path(__file__).resolve().parent.parent
CENSUS = "urn,census_date,nc_year,headcount\n100001,2026-01-15,10,123\n"
GIB = 1 << 30


def _errors(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


def _sparse(path: Path, size: int = GIB) -> Path:
    """A file that says it is ``size`` bytes long and takes no disk: reading it would cost the memory."""
    path.touch()
    os.truncate(path, size)
    return path


def _cli(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in its own process, so a command that blocks fails the test, not the run."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


def test_a_file_over_the_limit_is_refused_from_its_size_without_being_read(tmp_path):
    big = _sparse(tmp_path / "census_1gb.csv")
    tracemalloc.start()
    try:
        with pytest.raises(InputFileRefused) as refused:
            Upload.from_path("census", big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"{peak} bytes allocated to refuse a file by its size"
    assert str(refused.value) == (
        f"{big}: expected a file of at most {config.MAX_FILE_MB} MB (this one is 1073.7 MB); nothing was read or changed"
    )


@pytest.mark.parametrize("command", ["load", "check"])
def test_the_command_line_refuses_a_file_over_the_limit_in_one_line_and_changes_nothing(store, tmp_path, capsys, command):
    big = _sparse(tmp_path / "census_1gb.csv")
    before = file_digest(store), table_checksums(store)
    assert main([command, "census", str(big), "--db", str(store)]) == 2
    errors = _errors(capsys)
    assert len(errors) == 1 and str(big) in errors[0] and f"at most {config.MAX_FILE_MB} MB" in errors[0], errors
    assert (file_digest(store), table_checksums(store)) == before


def test_a_plan_over_the_limit_is_refused_too(store, tmp_path, capsys):
    big = _sparse(tmp_path / "plan_1gb.csv")
    assert main(["plan", "--changes", str(big), "--db", str(store)]) == 2
    errors = _errors(capsys)
    assert len(errors) == 1 and str(big) in errors[0] and "this one is 1073.7 MB" in errors[0], errors


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_FILE_MB", 1)
    at_limit = tmp_path / "at_limit.csv"
    at_limit.write_bytes(b"x" * 1_000_000)
    assert input_file.read_input(at_limit) == b"x" * 1_000_000
    over = tmp_path / "over.csv"
    over.write_bytes(b"x" * 1_000_001)
    with pytest.raises(InputFileRefused, match="at most 1 MB"):
        input_file.read_input(over)


def test_a_file_that_grows_while_it_is_read_is_still_read_only_to_the_limit(tmp_path, monkeypatch):
    """The size the system gave when the file was opened is stale by the time it is read (another
    program still writing it): simulated by a status that says 100 bytes for a 5 MB file."""
    monkeypatch.setattr(config, "MAX_FILE_MB", 1)
    growing = tmp_path / "growing.csv"
    growing.write_bytes(b"y" * 5_000_000)
    real_stat, real_fstat = os.stat, os.fstat

    def small(status: os.stat_result) -> os.stat_result:
        fields = list(status)
        fields[6] = 100  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(
        os, "stat", lambda path, *a, **k: small(real_stat(path, *a, **k)) if Path(path) == growing else real_stat(path, *a, **k)
    )
    monkeypatch.setattr(os, "fstat", lambda fd: small(real_fstat(fd)))
    tracemalloc.start()
    try:
        with pytest.raises(InputFileRefused, match="grew past that while it was read"):
            input_file.read_input(growing)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3_500_000, f"{peak} bytes read for a limit of 1 MB"


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "a_folder").mkdir()
    return tmp_path / "a_folder"


@pytest.mark.parametrize(
    ("make", "is_said"),
    [(_folder, "a folder"), (lambda _: Path("/dev/zero"), "a character device")],
    ids=["folder", "device"],
)
def test_a_folder_or_a_device_is_refused_before_it_is_read(store, tmp_path, capsys, make, is_said):
    target = make(tmp_path)
    before = file_digest(store)
    assert main(["load", "census", str(target), "--db", str(store)]) == 2
    errors = _errors(capsys)
    assert errors == [
        f"error: {target}: expected a CSV or XLSX file, a regular file; this is {is_said}; nothing was read or changed"
    ]
    assert file_digest(store) == before


def test_a_link_to_a_regular_file_is_followed(tmp_path):
    real = tmp_path / "census.csv"
    real.write_text(CENSUS)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert Upload.from_path("census", link).data == CENSUS.encode()


@pytest.fixture
def fifo(tmp_path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")  # Windows: nothing there can hang us this way
    path = tmp_path / "census_pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["load", "census", "{fifo}"],
        ["check", "census", "{fifo}"],
        ["plan", "--changes", "{fifo}"],
        ["restore", "{fifo}"],
        ["allocate", "--total", "1000", "--db", "{fifo}"],
    ],
    ids=["load", "check", "plan", "restore", "store"],
)
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(store, fifo, argv):
    before = file_digest(store)
    args = [a.format(fifo=fifo) for a in argv]
    done = _cli(*args, *([] if "--db" in args else ["--db", str(store)]), timeout=60)
    assert done.returncode == 2, done.stderr
    errors = _error_lines(done.stderr)
    assert len(errors) == 1 and f"{fifo}: expected " in errors[0] and "this is a named pipe" in errors[0], done.stderr
    assert file_digest(store) == before


def test_a_build_from_a_folder_holding_a_pipe_is_refused(tmp_path, fifo):
    data = tmp_path / "data"
    data.mkdir()
    fifo.rename(data / "register.csv")
    target = tmp_path / "built.duckdb"
    done = _cli("build", "--data", str(data), "--db", str(target))
    assert (
        done.returncode == 2 and "register.csv: expected a CSV or XLSX file, a regular file; this is a named pipe" in done.stderr
    )
    assert not target.exists()


def test_a_checksum_file_that_is_no_such_thing_is_not_read_whole(store, tmp_path, capsys):
    made = backup.backup(store, tmp_path / "good.duckdb")
    _sparse(made.checksum_path)
    before = file_digest(store)
    assert main(["restore", str(made.path), "--db", str(store)]) == 2
    errors = _errors(capsys)
    assert errors == [
        f"error: {made.path}: good.duckdb.sha256 is not a checksum file (one line as sha256sum writes it); nothing was changed"
    ]
    assert file_digest(store) == before
