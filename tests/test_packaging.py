"""The wheel, as a council's IT team would install it: built by the README's command, installed
by docs/deploy.md's command (the lock as constraints) into an environment outside any checkout,
its two console scripts run from a folder that is not a clone.

The new environment is a venv of the running interpreter that also sees the site folders the
running environment sees (a path file lists them after its own), so nothing is downloaded and the
libraries are the ones installed from the lock, whether the tests run in a venv (the README's
set-up: its base interpreter may have no libraries at all) or in the interpreter itself (CI). It
imports this project only from the wheel, which the test checks.

The build happens in a copy of the checkout made a git repository of its own, so running the
tests leaves the checkout clean, and the copy shows what the build leaves behind."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from doc_blocks import blocks, commands, section
from playwright.sync_api import expect, sync_playwright

from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, free_port
from pipelines.base import config

ROOT = config.PROJECT_ROOT
LEFT_OUT = shutil.ignore_patterns(
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "*.duckdb",
    "*.duckdb.*",
    "*.lock",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "secrets.toml",
    "tests",
    "benchmarks",
    "docs",
    "scripts",
)


README = ROOT / "README.md"
DEPLOY = ROOT / "docs" / "deploy.md"
SERVER_VENV = "/opt/partnership/venv"  # where docs/deploy.md installs, and the server's /tmp
SERVER_TMP = "/tmp/"


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@dataclass
class Build:
    wheel: Path
    status_before: str  # `git status --porcelain` of the copy before and after the build
    status_after: str


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Build:
    """The README's wheel command, run as written in a copy of the checkout."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    _git(source, "init", "--quiet")
    _git(source, "add", "--all")
    before = _git(source, "status", "--porcelain", "--untracked-files=all")
    [command] = re.findall(r"`(python -m pip wheel [^`]*)`", README.read_text(encoding="utf-8"))
    words = shlex.split(command)
    subprocess.run([sys.executable, *words[1:]], cwd=source, check=True, capture_output=True, text=True, timeout=600)
    (built,) = (source / "dist").glob("partnership_funding-*.whl")
    return Build(built, before, _git(source, "status", "--porcelain", "--untracked-files=all"))


@pytest.fixture(scope="module")
def wheel(build) -> Path:
    return build.wheel


def _site_folders() -> list[str]:
    """The folders the running environment imports installed libraries from: a venv's own, the
    base interpreter's when that venv was made with --system-site-packages, the user's."""
    return [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]


def _server_install_command() -> str:
    """docs/deploy.md's first install of the wheel into the server's venv."""
    install = section(DEPLOY, "1. Install from the wheel")
    lines = [c for b in blocks(install, "sh") for c in commands(b) if c.startswith(f"{SERVER_VENV}/bin/pip install")]
    return lines[0]


def _on_this_machine(word: str, venv: Path, server_tmp: Path) -> str:
    """A word of the guide's command with the server's folders replaced by the test's (and the
    wheel's name pattern expanded, as the shell would)."""
    if word.startswith(SERVER_VENV):
        return str(venv) + word.removeprefix(SERVER_VENV)
    if word.startswith(SERVER_TMP):
        [path] = server_tmp.glob(word.removeprefix(SERVER_TMP))
        return str(path)
    return word


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(bin folder, environment, a working folder outside the checkout)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "running-environment.pth").write_text("\n".join(_site_folders()) + "\n", encoding="utf-8")
    server_tmp = tmp_path_factory.mktemp("server-tmp")  # the wheel and the lock, as copied to the server
    shutil.copy(wheel, server_tmp)
    shutil.copy(ROOT / "requirements.lock", server_tmp)
    install = [_on_this_machine(word, venv, server_tmp) for word in shlex.split(_server_install_command())]
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(install, env=offline, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{install}\n{done.stdout}\n{done.stderr}"
    outside = tmp_path_factory.mktemp("outside")
    env = {k: v for k, v in os.environ.items() if k not in ("PARTNERSHIP_DB", "PYTHONPATH")}
    env.update(HOME=str(outside), XDG_DATA_HOME=str(outside / "data-home"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    return venv / "bin", env, outside


def test_the_wheel_carries_the_sql_the_default_data_the_england_pack_and_the_dashboard_settings(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    sql = {p.relative_to(ROOT / "sql").as_posix() for p in (ROOT / "sql").rglob("*.sql")}
    assert {n.removeprefix("partnership_sql/") for n in names if n.startswith("partnership_sql/") and n.endswith(".sql")} == sql
    for folder in ("default", "reference", "templates", "samples", "england"):
        shipped = {p.name for p in (ROOT / "data" / folder).iterdir()}
        assert {n.rsplit("/", 1)[1] for n in names if n.startswith(f"partnership_data/{folder}/")} == shipped
    assert "partnership_streamlit/config.toml" in names and "dashboard/icon.png" in names
    assert not [n for n in names if n.endswith(".duckdb") or n.startswith("tests/")]
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert (
        "partnership = pipelines.cli.main:main" in entry_points
        and "partnership-dashboard = dashboard.launch:main" in entry_points
    )


def test_the_readme_wheel_build_leaves_git_status_clean(build):
    """`dist/` (and whatever else the build writes) is ignored by the project's .gitignore."""
    assert build.wheel.parent.name == "dist"
    assert build.status_after == build.status_before


def test_every_server_install_in_the_deploy_guide_takes_the_lock_as_constraints():
    """An install that brings the wheel's dependencies takes them at the locked versions; the one
    in section 1 is run as written by the `installed` fixture."""
    text = DEPLOY.read_text(encoding="utf-8")
    installs = [
        c
        for language in ("sh", "bat")
        for b in blocks(text, language)
        for c in commands(b)
        if "pip install" in c and ".whl" in c and "--no-deps" not in c
    ]
    assert len(installs) >= 3, installs  # the server, its upgrade, the laptop
    assert all(re.search(r"pip install -c \S*requirements\.lock ", c) for c in installs), installs


def test_the_installed_command_line_builds_its_store_outside_the_checkout(installed):
    bin_dir, env, outside = installed
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import pipelines, partnership_sql; from pipelines.base import config;print(pipelines.__file__); print(config.DEFAULT_DB)",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, store = where.stdout.split()
    assert module.startswith(str(bin_dir.parent)) and not module.startswith(str(ROOT))
    assert store == str(outside / "data-home" / "partnership-funding" / "store.duckdb")  # the user's data folder
    built = subprocess.run(
        [str(bin_dir / "partnership"), "build"], cwd=outside, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr
    assert Path(store).exists()
    allocated = subprocess.run(
        [str(bin_dir / "partnership"), "allocate", "--total", "500000"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert allocated.returncode == 0, allocated.stderr
    assert "Total £500,000.00 equals the pot £500,000.00" in allocated.stdout


def test_the_installed_tool_finds_an_authority_and_its_schools_in_the_wheels_england_pack(installed):
    bin_dir, env, outside = installed
    read = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "from pipelines.datasets import england; kent = england.resolve_authority('kent');"
            "print(england.PACK_DIR, kent.code, england.schools(kent.code).height, len(england.authorities()))",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert read.returncode == 0, read.stderr
    pack, code, schools, authorities = read.stdout.split()
    assert pack.startswith(str(bin_dir.parent)) and pack.endswith("partnership_data/england")
    assert (code, authorities) == ("886", "153")
    assert (
        int(schools)
        == pl.read_parquet(config.ENGLAND_DIR / "schools_gias_2025.parquet").filter(pl.col("la_code") == "886").height
    )


def test_the_installed_command_line_names_itself_partnership(installed):
    """Help and refusals tell a wheel user the command they have, not `python -m pipelines`."""
    bin_dir, env, outside = installed
    helped = subprocess.run([str(bin_dir / "partnership"), "--help"], cwd=outside, env=env, capture_output=True, text=True)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: partnership [-h]"), helped.stderr
    damaged = outside / "damaged.duckdb"
    damaged.write_bytes(b"not a store" * 100)
    refused = subprocess.run(
        [str(bin_dir / "partnership"), "gaps", "--db", str(damaged)], cwd=outside, env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and f"restore a backup with: partnership restore BACKUP_FILE --db {damaged}" in refused.stderr
    assert "python -m pipelines" not in helped.stdout + refused.stderr


@pytest.mark.e2e
def test_the_installed_dashboard_serves_the_allocation(installed):
    bin_dir, env, outside = installed
    port = free_port()
    env = {**env, "PARTNERSHIP_DB": str(outside / "dashboard-store.duckdb")}
    server = subprocess.Popen(
        [str(bin_dir / "partnership-dashboard"), "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=outside,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(
                        f"the installed dashboard did not start: {server.stdout.read() if server.poll() is not None else ''}"
                    ) from None
                time.sleep(0.5)
        expect.set_options(timeout=90_000)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/allocation")
            expect(page.get_by_text("equals the pot £500,000.00").first).to_be_visible()
            browser.close()
        assert (outside / "dashboard-store.duckdb").exists()  # built on first start, from the wheel's data
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_ci_runs_exactly_the_readme_test_command():
    """The README's second set-up command is what CI runs, word for word, and it installs the
    locked environment and runs the lint and the type check before the tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("apt-get ") and "pytest" in line]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert commands == [ci]
    assert all(
        step in ci for step in ("-r requirements.lock", "ruff check .", "ruff format --check .", "mypy", "python -m pytest")
    )
