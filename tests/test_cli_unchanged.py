"""The command line says the same words and exits with the same codes as recorded in
tests/golden/cli.json (see tests/cli_golden.py): help for every command, usage errors, refused
values and files, a missing store, and commands that succeed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cli_golden
import pytest

GOLDEN = json.loads(cli_golden.GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def recorded(small_store_template):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cli_golden.ENVIRONMENT.items():
            patch.setenv(name, value)
        yield cli_golden.record(small_store_template)


def test_the_golden_file_covers_every_command():
    topics = {entry["argv"][0] for entry in GOLDEN if entry["argv"][1:] == ["--help"]}
    assert topics == set(cli_golden.HELP_TOPICS)
    assert {entry["exit"] for entry in GOLDEN} == {0, 1, 2}


@pytest.mark.parametrize("number", range(len(GOLDEN)), ids=[" ".join(entry["argv"]) or "(none)" for entry in GOLDEN])
def test_each_invocation_says_and_exits_as_recorded(recorded, number):
    assert recorded[number] == GOLDEN[number]


def test_python_dash_m_pipelines_prints_the_recorded_help():
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, **cli_golden.ENVIRONMENT},
        cwd=cli_golden.TESTS.parent,
        timeout=120,
        check=False,
    )
    from pipelines.base import config

    assert done.returncode == 0
    assert done.stdout.replace(str(config.DEFAULT_DB), "<default store>") == GOLDEN[1]["stdout"]
