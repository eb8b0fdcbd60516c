"""One clock for the whole project. The store's TIMESTAMP columns are naive and hold UTC, so a
record made in summer and one made in winter compare correctly and the server's own time zone
never matters; people read them in UK time, labelled GMT or BST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utc_now() -> dt.datetime:
    """Now in UTC, naive and to the second, as every TIMESTAMP column stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def uk_time(ts: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as UK wall-clock time, aware so its zone name can be shown.
    An aware time is converted as it is."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(UK)


def uk_text(ts: dt.datetime | None, fmt: str = "%d %b %Y %H:%M", missing: str = "") -> str:
    """A stored time for people: UK time with its zone (GMT or BST) named."""
    if ts is None:
        return missing
    local = uk_time(ts)
    return f"{local.strftime(fmt)} {local.tzname()}"


def uk_column(column: str, fmt: str = "%d %b %Y %H:%M"):
    """The polars form of uk_text, for a table of stored times."""
    import polars as pl  # only the tables need it

    return pl.col(column).dt.replace_time_zone("UTC").dt.convert_time_zone(UK.key).dt.strftime(f"{fmt} %Z")
