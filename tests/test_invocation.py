"""Every help text, message, page and file that tells someone a command names it as they type it:
`partnership` when the wheel's console scripts started the process (the command line, or the
dashboard started by `partnership-dashboard`), `python -m pipelines` in a checkout. The installed
commands themselves are run in tests/test_packaging.py."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.base import config, invocation
from pipelines.store import db

SCRIPT = "/opt/partnership/venv/bin/partnership"
DASHBOARD_SCRIPT = "/opt/partnership/venv/bin/partnership-dashboard"


def _started(monkeypatch, argv0: str, orig: list[str]) -> None:
    monkeypatch.setattr(sys, "argv", [argv0, "--help"])
    monkeypatch.setattr(sys, "orig_argv", orig)


@pytest.mark.parametrize(
    ("argv0", "orig", "expected"),
    [
        (SCRIPT, ["/opt/partnership/venv/bin/python", SCRIPT, "load"], "partnership"),
        ("streamlit", ["/opt/partnership/venv/bin/python", DASHBOARD_SCRIPT, "--server.port", "8501"], "partnership"),
        (r"C:\Users\officer\partnership\Scripts\partnership.exe", ["python.exe", "-c", ""], "partnership"),
        ("/work/main/pipelines/cli/main.py", ["python", "-m", "pipelines", "load"], "python -m pipelines"),
        ("/usr/bin/streamlit", ["python", "/usr/bin/streamlit", "run", "dashboard/app.py"], "python -m pipelines"),
        ("/home/me/bin/partnership-tools", ["python", "/home/me/bin/partnership-tools"], "python -m pipelines"),
    ],
)
def test_the_program_is_named_as_it_was_started(monkeypatch, argv0, orig, expected):
    _started(monkeypatch, argv0, orig)
    assert invocation.program() == expected
    assert invocation.command("audit") == f"{expected} audit"


def test_help_and_refusals_name_the_command_as_typed(monkeypatch, tmp_path, capsys):
    from pipelines.cli.main import main

    damaged = tmp_path / "store.duckdb"
    damaged.write_bytes(b"not a store" * 100)
    _started(monkeypatch, SCRIPT, ["/opt/partnership/venv/bin/python", SCRIPT])
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out.startswith("usage: partnership [-h]")
    problem = db.store_problem(db.StoreDamaged(damaged, "Corrupt database file"), damaged)
    assert f"restore a backup with: partnership restore BACKUP_FILE --db {damaged}" in str(problem)
    assert "python -m pipelines" not in str(problem)


def test_the_checkout_keeps_python_m_pipelines():
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "--help"], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m pipelines [-h]"), done.stderr


def _strings_naming_the_module(path: Path) -> list[str]:
    """String literals (f-string parts included), docstrings left out, that name `python -m pipelines`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and "python -m pipelines " in node.value
    ]


def test_no_message_names_the_command_but_through_invocation():
    root = config.PROJECT_ROOT
    files = [p for folder in ("pipelines", "dashboard") for p in sorted((root / folder).rglob("*.py"))]
    found = [hit for path in files if path.name != "invocation.py" for hit in _strings_naming_the_module(path)]
    assert found == []


def test_the_dashboard_started_by_its_console_script_says_partnership(store, monkeypatch):
    _started(monkeypatch, "streamlit", ["/opt/partnership/venv/bin/python", DASHBOARD_SCRIPT])
    app = open_page(store, monkeypatch, "data")
    told = [i.value for i in app.info if "Uploads are switched off" in i.value]
    assert told == ["Uploads are switched off here. Load files with the command line: `partnership load KIND FILE`."]
    assert not [c.value for c in app.caption if "python -m pipelines" in c.value]
    assert any("check one with: partnership audit --anchor N:HEX" in c.value for c in app.caption)
