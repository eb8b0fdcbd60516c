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


def day_text(day: dt.date | None, missing: str = "") -> str:
    """A day for people, in GOV.UK style: 7 December 2026 (no leading zero, the month in full).
    The one rule every page, print, pack and terminal line uses; files use ISO 8601 (iso_text)."""
    if day is None:
        return missing
    return f"{day.day} {day:%B} {day.year}"


def _clock(local: dt.datetime, seconds: bool) -> str:
    """GOV.UK style: 9:05am, 2:30pm (12-hour, no leading zero, am or pm in lower case)."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}" + (f":{local:%S}" if seconds else "") + ("am" if local.hour < 12 else "pm")


def uk_text(ts: dt.datetime | None, missing: str = "", *, seconds: bool = False) -> str:
    """A stored time for people: the UK day and time with its zone named, GOV.UK style:
    7 December 2026, 2:05pm GMT."""
    if ts is None:
        return missing
    local = uk_time(ts)
    return f"{day_text(local)}, {_clock(local, seconds)} {local.tzname()}"


def iso_text(ts: dt.datetime | None, missing: str = "") -> str:
    """A stored time for files: ISO 8601 in UTC, zone written (2026-12-07T14:05:09Z)."""
    if ts is None:
        return missing
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.UTC).replace(tzinfo=None)
    return f"{ts:%Y-%m-%dT%H:%M:%S}Z"


def uk_column(column: str):
    """The polars form of uk_text, for a table of stored times (the same words, from chrono's
    formats: %-d and %-I drop the leading zero, %P is am or pm)."""
    import polars as pl  # only the tables need it

    local = pl.col(column).dt.replace_time_zone("UTC").dt.convert_time_zone(UK.key)
    return local.dt.strftime("%-d %B %Y, %-I:%M%P %Z")


def day_column(column: str):
    """The polars form of day_text, for a table of days."""
    import polars as pl

    return pl.col(column).dt.strftime("%-d %B %Y")
