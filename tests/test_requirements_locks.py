"""The dashboard installs with the runtime lock alone (what a council's machine needs to run it),
and the test environment with the full lock: the two must never disagree on a version, the runtime
lock must hold every library the package needs at run time and none that only the tests need."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)", re.MULTILINE)


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {re.sub(r"[-_.]+", "-", package).lower(): version for package, version in PIN.findall(text)}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", re.split(r"[=<>!~\[ ;]", line, maxsplit=1)[0]).lower() for line in requirements}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_pin_is_the_full_locks_version():
    run, full = _pins("requirements-run.lock"), _pins("requirements.lock")
    assert run, "requirements-run.lock pins nothing"
    assert {name: (version, full.get(name)) for name, version in run.items() if full.get(name) != version} == {}


def test_the_runtime_lock_holds_every_runtime_dependency_and_no_test_tool():
    run = _pins("requirements-run.lock")
    assert _requirement_names(PROJECT["dependencies"]) - run.keys() == set()
    only_for_tests = _requirement_names(PROJECT["optional-dependencies"]["test"])
    assert only_for_tests & run.keys() == set()


def test_the_readme_runs_the_dashboard_from_the_runtime_lock_and_tests_from_the_full_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run_line = next(line for line in readme.splitlines() if "streamlit run dashboard/app.py" in line)
    assert "-r requirements-run.lock -e ." in run_line and "[test]" not in run_line
    test_line = next(line for line in readme.splitlines() if "python -m pytest" in line and "pip install" in line)
    assert "-r requirements.lock -e '.[test]'" in test_line
