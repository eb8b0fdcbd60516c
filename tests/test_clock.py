"""Times are stored in UTC whatever zone the server is in, and read in UK time with GMT or BST
named, so a decision approved at 14:05 in July does not read 13:05 on the screen."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import polars as pl

from pipelines.base import clock
from pipelines.outputs import records
from pipelines.store import db

LINK = {"total": "10000", "pending": "1", "asof": "2025-09-01"}


def test_a_summer_time_reads_in_bst():
    stored = dt.datetime(2026, 7, 1, 13, 5, 0)  # naive UTC, as in the store
    shown = clock.uk_time(stored)
    assert (shown.hour, shown.minute, shown.tzname()) == (14, 5, "BST")
    assert clock.uk_text(stored) == "1 July 2026, 2:05pm BST"


def test_a_winter_time_reads_in_gmt():
    stored = dt.datetime(2026, 1, 15, 13, 5, 0)
    assert clock.uk_text(stored) == "15 January 2026, 1:05pm GMT"
    assert clock.uk_text(None, missing="never") == "never"


def test_the_clocks_changing_night_is_read_right():
    # 29 March 2026: at 01:00 UTC the UK goes from 01:00 GMT to 02:00 BST.
    assert clock.uk_text(dt.datetime(2026, 3, 29, 0, 59)) == "29 March 2026, 12:59am GMT"
    assert clock.uk_text(dt.datetime(2026, 3, 29, 1, 0)) == "29 March 2026, 2:00am BST"


def test_a_table_of_stored_times_reads_in_uk_time():
    frame = pl.DataFrame({"at": [dt.datetime(2026, 7, 1, 13, 5), dt.datetime(2026, 1, 15, 13, 5), None]})
    shown = frame.select(clock.uk_column("at"))["at"].to_list()
    assert shown == ["1 July 2026, 2:05pm BST", "15 January 2026, 1:05pm GMT", None]


def test_days_and_times_for_people_follow_one_rule_and_files_get_iso_8601():
    assert clock.day_text(dt.date(2026, 12, 7)) == "7 December 2026"
    assert clock.day_text(None, "never") == "never"
    assert clock.uk_text(dt.datetime(2026, 12, 7, 12, 0, 9), seconds=True) == "7 December 2026, 12:00:09pm GMT"
    assert clock.iso_text(dt.datetime(2026, 7, 1, 13, 5, 9)) == "2026-07-01T13:05:09Z"
    frame = pl.DataFrame({"day": [dt.date(2018, 1, 18), None]})
    assert frame.select(clock.day_column("day"))["day"].to_list() == ["18 January 2018", None]


def test_no_other_module_formats_a_day_or_time_for_people():
    """One home for the rule: a strftime pattern of day or month words anywhere else is a second one."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"%d %b|%d %B|%b %Y|%Y-%m-%d %H:%M|(?<!T)%H:%M:%S")
    found = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("pipelines", "dashboard")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_utc_now_is_naive_utc_to_the_second():
    made = clock.utc_now()
    assert made.tzinfo is None and made.microsecond == 0
    assert abs(made.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_a_record_made_now_is_stored_in_utc(store, monkeypatch):
    # A server far from UTC, so local time and UTC differ by hours whatever the test machine's zone.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        records.save_scenario(store, "Now", LINK, "Chair")
    finally:
        monkeypatch.undo()
        time.tzset()
    con = duckdb.connect(str(store), read_only=True)
    try:
        saved_at = con.sql(db.read_sql("reports/scenarios.sql")).pl()["saved_at"][0]
        recorded_at = con.sql(db.read_sql("reports/audit_log.sql")).pl().sort("seq")["recorded_at"][-1]
    finally:
        con.close()
    now = dt.datetime.now(dt.UTC)
    for stamp in (saved_at, recorded_at):
        assert stamp.tzinfo is None
        assert abs(stamp.replace(tzinfo=dt.UTC) - now) < dt.timedelta(seconds=10)


def test_files_carry_stored_times_as_iso_8601_utc():
    from pipelines.base import csv_out
    from pipelines.outputs import exports

    frame = pl.DataFrame(
        {
            "seq": [1],
            "recorded_at": [dt.datetime(2026, 7, 1, 13, 5, 9)],
            "actor": ["Chair"],
            "action": ["load"],
            "subject": ["census"],
            "detail": ["x"],
            "entry_hash": ["ab"],
        }
    )
    assert "2026-07-01T13:05:09Z" in exports.audit_csv(frame).decode("utf-8-sig")
    assert csv_out.frame_csv(frame.select("recorded_at")).splitlines()[1] == "2026-07-01T13:05:09Z"


def test_the_data_pages_logs_show_times_with_their_zone(store, monkeypatch):
    import re

    from streamlit.testing.v1 import AppTest

    from pipelines.base import config

    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app_pages" / "data.py"), default_timeout=60).run()
    assert not app.exception
    shown = [d.value for d in app.dataframe if {"loaded_at"} <= set(d.value.columns) or {"recorded_at"} <= set(d.value.columns)]
    assert len(shown) == 2
    for table in shown:
        column = "loaded_at" if "loaded_at" in table.columns else "recorded_at"
        assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d[ap]m (GMT|BST)", v) for v in table[column])
