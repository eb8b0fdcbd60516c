"""The wheel, as a council's IT team would install it: built from the project's own files,
installed into an environment outside any checkout, its two console scripts run from a folder
that is not a clone. The environment sees the machine's installed libraries (so nothing is
downloaded) but imports this project only from the wheel, which the test checks.

The build happens in a copy of the checkout, so running the tests leaves the checkout clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, free_port
from pipelines import config

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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (built,) = out.glob("partnership_funding-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(bin folder, environment, a working folder outside the checkout)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outside = tmp_path_factory.mktemp("outside")
    env = {k: v for k, v in os.environ.items() if k not in ("PARTNERSHIP_DB", "PYTHONPATH")}
    env.update(HOME=str(outside), XDG_DATA_HOME=str(outside / "data-home"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    return venv / "bin", env, outside


def test_the_wheel_carries_the_sql_the_default_data_and_the_dashboard_settings(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    sql = {p.relative_to(ROOT / "sql").as_posix() for p in (ROOT / "sql").rglob("*.sql")}
    assert {n.removeprefix("partnership_sql/") for n in names if n.startswith("partnership_sql/") and n.endswith(".sql")} == sql
    for folder in ("default", "reference", "templates"):
        shipped = {p.name for p in (ROOT / "data" / folder).iterdir()}
        assert {n.rsplit("/", 1)[1] for n in names if n.startswith(f"partnership_data/{folder}/")} == shipped
    assert "partnership_streamlit/config.toml" in names and "dashboard/icon.png" in names
    assert not [n for n in names if n.endswith(".duckdb") or n.startswith("tests/")]
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert (
        "partnership = pipelines.__main__:main" in entry_points
        and "partnership-dashboard = dashboard.launch:main" in entry_points
    )


def test_the_installed_command_line_builds_its_store_outside_the_checkout(installed):
    bin_dir, env, outside = installed
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import pipelines, partnership_sql; from pipelines import config;print(pipelines.__file__); print(config.DEFAULT_DB)",
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
