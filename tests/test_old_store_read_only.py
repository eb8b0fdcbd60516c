"""A store from the previous release in a folder this user may not write in: every command says
in one line that it needs one upgrade by someone who may write there (reading an old shape
through this release's SQL would misread it), exit 2, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_environment_failures import _error_lines, _state, read_only_store  # noqa: F401 - a fixture

from pipelines.cli.main import main


@pytest.fixture
def store(previous) -> Path:
    """Overrides conftest's: the store the previous release wrote (read_only_store copies it)."""
    return previous


@pytest.mark.parametrize("argv", [["allocate", "--total", "500000"], ["audit"], ["decisions"], ["gaps"]], ids=lambda a: a[0])
def test_an_old_store_in_a_read_only_folder_says_it_needs_one_upgrade(read_only_store, capsys, argv):  # noqa: F811
    before = _state(read_only_store)
    assert main([*argv, "--db", str(read_only_store)]) == 2
    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {read_only_store}: the store was written by an earlier release")
    assert f"this user may not write in {read_only_store.parent}" in errors[0]
    assert "as a user who may write there and holds the audit key" in errors[0] and "nothing was changed" in errors[0]
    assert _state(read_only_store) == before
