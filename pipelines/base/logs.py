"""Logging set-up shared by the command line and the dashboard, so an operator reads one format
in the journal whichever of them wrote the line.

Every module logs to ``logging.getLogger(__name__)``; only the ``pipelines`` and ``dashboard``
loggers get a handler here, so libraries keep their own settings. Times are UTC, like the store.

Streamlit's own lines (the server starting, a refused WebSocket) come from its loggers, with
handlers of its own that it makes again whenever it reads its settings, and a format taken from
its `logger.messageFormat` option but a time always in the server's zone. So the dashboard's
launcher gives every log record a `utc` stamp (a record factory: the one place both formats take
their time from) and Streamlit the option STREAMLIT_FORMAT, which prints that stamp: the journal
then reads one format in one zone whoever wrote the line.
"""

from __future__ import annotations

import logging
import os
import sys
import time

LEVEL_ENV = "PARTNERSHIP_LOG_LEVEL"
DEFAULT_LEVEL = "INFO"
LOGGERS = ("pipelines", "dashboard")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_LINE = "{stamp} %(levelname)s %(name)s: %(message)s"
FORMAT = _LINE.format(stamp="%(asctime)s")  # the tool's handler: asctime is utc_stamp
STREAMLIT_FORMAT = _LINE.format(stamp="%(utc)s")  # Streamlit's handlers: the stamp every record carries

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


def utc_stamp(created: float) -> str:
    """A log record's time as every line of the tool shows it: UTC, to the second, marked Z."""
    return time.strftime(DATE_FORMAT, time.gmtime(created)) + "Z"


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return utc_stamp(record.created)


def _formatter() -> logging.Formatter:
    return _UtcFormatter(FORMAT)


def stamp_records() -> None:
    """Give every log record made from now on a ``utc`` attribute (its time as utc_stamp gives
    it), for formats that cannot choose their zone. Safe to call again: installed once."""
    current = logging.getLogRecordFactory()
    if getattr(current, "stamps_utc", False):
        return

    def stamped(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        record.utc = utc_stamp(record.created)
        return record

    stamped.stamps_utc = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(stamped)


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
