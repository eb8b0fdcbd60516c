"""Shared fixtures: a store built from the small synthetic text dataset in tests/data/small."""

from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from examples import QUICK
from hypothesis import settings

from pipelines.datasets.build_default import build

TESTS = Path(__file__).parent
SMALL = TESTS / "data" / "small"
BAD = TESTS / "data" / "bad"
REAL = TESTS.parent.parent / "shared" / "data" / "real"

# A third of each property test's examples unless --hypothesis-profile=thorough (tests/examples.py).
settings.load_profile(QUICK)


# The audit log is sealed with a key kept outside the store (pipelines/store/audit_key.py). Tests use
# this fixed one, so no test (nor a command line or dashboard it starts, which inherit the
# environment) reads or makes a key file in the real home folder.
TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="session", autouse=True)
def audit_key():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNERSHIP_AUDIT_KEY", TEST_AUDIT_KEY)
        patch.delenv("PARTNERSHIP_AUDIT_KEY_FILE", raising=False)
        yield TEST_AUDIT_KEY


# A store written by the previous release (commit a5555f3, before stores recorded their schema
# version), made by tests/fixtures/make_previous_store.sh: the upgrade, restore and audit tests
# open copies of it with today's code.
PREVIOUS_RELEASE = TESTS / "fixtures" / "store_a5555f3.duckdb.gz"


def unpack_previous_release(path: Path) -> Path:
    with gzip.open(PREVIOUS_RELEASE, "rb") as packed, open(path, "wb") as out:
        shutil.copyfileobj(packed, out)
    return path


@pytest.fixture
def previous(tmp_path) -> Path:
    """A copy of the previous release's store, to open with today's code."""
    return unpack_previous_release(tmp_path / "old.duckdb")


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


class _PageErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.failures.append(record.getMessage() + (f": {record.exc_info[1]!r}" if record.exc_info else ""))


@pytest.fixture(autouse=True)
def no_page_errors(request):
    """A page that fails shows users a message, not a traceback (dashboard/app.py), so AppTest no
    longer sees the exception; any page failure during a test fails the test here, unless the
    test is about that message (marked page_error_expected)."""
    handler = _PageErrors()
    logger = logging.getLogger("dashboard.app")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.failures and not request.node.get_closest_marker("page_error_expected"):
        pytest.fail(f"a dashboard page failed: {handler.failures}")
