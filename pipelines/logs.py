"""Logging set-up shared by the command line and the dashboard, so an operator reads one format
in the journal whichever of them wrote the line.

Every module logs to ``logging.getLogger(__name__)``; only the ``pipelines`` and ``dashboard``
loggers get a handler here, so libraries keep their own settings. Times are UTC, like the store.
"""

from __future__ import annotations

import logging
import os
import sys
import time

LEVEL_ENV = "PARTNERSHIP_LOG_LEVEL"
DEFAULT_LEVEL = "INFO"
LOGGERS = ("pipelines", "dashboard")
FORMAT = "%(asctime)sZ %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"

logger = logging.getLogger(__name__)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged, not when the handler was made:
    tests and Streamlit replace it, and a handler holding the old stream would write to a closed file."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _formatter() -> logging.Formatter:
    formatter = logging.Formatter(FORMAT, DATE_FORMAT)
    formatter.converter = time.gmtime
    return formatter


def resolve_level(level: str | int | None = None) -> int:
    """The level asked for (argument, else PARTNERSHIP_LOG_LEVEL, else INFO). A misspelt name
    falls back to INFO rather than stopping the service from starting."""
    chosen = level if level is not None else os.environ.get(LEVEL_ENV, "") or DEFAULT_LEVEL
    if isinstance(chosen, int):
        return chosen
    value = logging.getLevelName(str(chosen).strip().upper())
    return value if isinstance(value, int) else logging.INFO


def setup(level: str | int | None = None) -> None:
    """Configure the project's loggers; safe to call on every dashboard rerun or twice in one
    process (only one handler is ever attached, the level is updated)."""
    resolved = resolve_level(level)
    for name in LOGGERS:
        named = logging.getLogger(name)
        named.setLevel(resolved)
        if not any(isinstance(h, _StderrHandler) for h in named.handlers):
            handler = _StderrHandler()
            handler.setFormatter(_formatter())
            named.addHandler(handler)
    asked = level if level is not None else os.environ.get(LEVEL_ENV)
    if asked and logging.getLevelName(str(asked).strip().upper()) != resolved and not isinstance(asked, int):
        logger.warning("unknown log level %r; using %s", asked, logging.getLevelName(resolved))
