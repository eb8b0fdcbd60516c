"""Shared fixtures: a store built from the small synthetic text dataset in tests/data/small."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.build_default import build

TESTS = Path(__file__).parent
SMALL = TESTS / "data" / "small"
BAD = TESTS / "data" / "bad"
REAL = TESTS.parent.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def small_store_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.duckdb"
    build(path, SMALL)
    return path


@pytest.fixture
def store(small_store_template, tmp_path) -> Path:
    """A private copy of the small store, so each test may load into it."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(small_store_template, path)
    return path


@pytest.fixture
def con(store):
    connection = duckdb.connect(str(store), read_only=True)
    yield connection
    connection.close()
