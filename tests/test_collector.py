"""The dashboard's freeze of long-lived objects: it happens when modules were imported since the
last one and not otherwise, so a long-lived server freezes a bounded number of times."""

from __future__ import annotations

import gc
import sys
import types

import pytest

from dashboard import collector


@pytest.fixture
def thawed(monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(collector, "_modules_when_frozen", 0)
    yield
    gc.unfreeze()


def test_first_run_freezes_what_is_alive(thawed):
    assert gc.get_freeze_count() == 0
    assert collector.freeze_when_modules_grow() is True
    assert gc.get_freeze_count() > 1000  # the imported libraries' objects


def test_runs_without_new_imports_do_not_freeze_again(thawed):
    collector.freeze_when_modules_grow()
    frozen = gc.get_freeze_count()
    kept = [[object()] for _ in range(100)]  # objects made by a run, which must stay collectable
    assert collector.freeze_when_modules_grow() is False
    # No more frozen (frozen objects freed by other threads of the process may make it fewer).
    assert gc.get_freeze_count() <= frozen
    assert len(kept) == 100


def test_a_page_that_imports_more_freezes_once_more(thawed, monkeypatch):
    collector.freeze_when_modules_grow()
    frozen = gc.get_freeze_count()
    monkeypatch.setitem(sys.modules, "a_module_a_page_imports", types.ModuleType("a_module_a_page_imports"))
    assert collector.freeze_when_modules_grow() is True
    assert gc.get_freeze_count() > frozen
    assert collector.freeze_when_modules_grow() is False
