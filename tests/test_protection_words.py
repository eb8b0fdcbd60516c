"""What transition protection did, in words that agree with the figures beside them: a
partnership held at its floor is said to be below its Year 10 share when it is (the money that
raises others to their floors comes out of the Year 10 shares), and one held at its cap above it
when it is. The words are made once (sql/macros/049_protection_note.sql) and read the same on the
command line, in the CSV and XLSX, on the Allocation page and in the meeting pack."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from scenario import AS_OF, CENSUS, Member, Scenario, empty_store, fill

from pipelines.cli.main import main
from pipelines.datasets import build_default
from pipelines.outputs import meeting_pack
from pipelines.rules.allocate import AllocationSettings, allocate
from pipelines.store import db

D = Decimal
# The settings the head teachers read: a £450,000 pot, a £25,000 top-slice, loss and gain limits 10%.
ISSUE_FLAGS = ["--total", "450000", "--top-slice", "25000", "--protect-loss", "10", "--protect-gain", "10"]
ISSUE_SETTINGS = AllocationSettings(total=D(450000), top_slice=D(25000), protect_loss=D(10), protect_gain=D(10))

LOC1 = (
    "Held at its floor, 10% below its previous amount of £50,000.00: still £9,611.63 less than its Year 10 share, "
    "because raising other partnerships to their floors leaves less to share by Year 10 (without its floor it would get less)"
)
LOC2 = (
    "Protected: £18,148.33 more than its Year 10 share, so it does not fall more than 10% below its previous amount of £50,000.00"
)


@pytest.fixture(scope="module")
def norfolk(tmp_path_factory):
    path = tmp_path_factory.mktemp("norfolk") / "store.duckdb"
    build_default.build(path)
    return path


def test_a_partnership_held_at_its_floor_below_its_year10_share_is_not_said_to_be_raised(norfolk, tmp_path, capsys):
    # Default data, previous £50,000 each for LOC1-LOC9-10, floor 90% = £45,000. The £425,000 left
    # after the top-slice, by Year 10, gives LOC1 (962 of the 7,486.5 funded Year 10) £54,611.63, inside
    # its £45,000-£55,000 bounds; but LOC2, LOC3, LOC4 and LOC5-7 are below £45,000 and are raised
    # to it, and what is left shared by Year 10 would give LOC1 less than £45,000, so LOC1 is held at
    # its floor: £45,000, which is £9,611.63 LESS than its Year 10 share (it used to read "raised
    # to the floor" beside -£9,611.63). LOC2's share £26,851.67 is raised to £45,000: £18,148.33 more.
    out = tmp_path / "allocation.csv"
    assert main(["allocate", *ISSUE_FLAGS, "--db", str(norfolk), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"  LOC1: {LOC1}\n" in printed and f"  LOC2: {LOC2}\n" in printed
    assert "raised to the floor" not in printed
    rows = {r["Partnership code"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert (rows["LOC1"]["Amount (£)"], rows["LOC1"]["Exact share before rounding (£)"]) == ("45000.00", "54611.6342")
    assert rows["LOC1"]["Protection against the Year 10 share (£)"] == "-9611.63"
    assert rows["LOC1"]["Transition protection"] == LOC1
    assert rows["LOC2"]["Transition protection"] == LOC2
    # Every row's words go the way of its figure.
    for row in rows.values():
        effect, words = row["Protection against the Year 10 share (£)"], row["Transition protection"]
        if not effect:
            assert words == ""
        elif D(effect) > 0:
            assert " more than its Year 10 share" in words and " less than " not in words, row
        else:
            assert " less than its Year 10 share" in words and " more than " not in words, row


def three(previous: dict[str, str]) -> Scenario:
    """A, B and C with Year 10 of 100, 100 and 200, all accredited."""
    return Scenario(
        {"A": [Member(100001, year10=100)], "B": [Member(100002, year10=100)], "C": [Member(100003, year10=200)]},
        {"A": "accredited", "B": "accredited", "C": "accredited"},
        previous,
    )


def notes(previous: dict[str, str], total: int, **levers) -> dict[str, str | None]:
    frame = allocate(
        fill(empty_store(), three(previous)), AllocationSettings(total=total, as_of=AS_OF, census_date=CENSUS, **levers)
    )
    return dict(zip(frame["partnership_code"], frame["protection_note"], strict=True))


def test_a_cap_says_less_than_the_share_or_more_when_others_caps_raised_it():
    # Pot £60,000, gain limit 0%, previous A £0, B £16,000: shares 15,000 / 15,000 / 30,000. A's
    # cap is £0, so A is held there (£15,000 less than its share); B and C then share £60,000 1:2,
    # B 20,000 > its £16,000 cap, so B is held at £16,000: £1,000 MORE than its £15,000 share.
    said = notes({"A": "0", "B": "16000"}, 60000, protect_gain=0)
    assert said["A"] == (
        "Capped: £15,000.00 less than its Year 10 share, so it does not rise more than 0% above its previous amount of £0.00"
    )
    assert said["B"] == (
        "Held at its cap, 0% above its previous amount of £16,000.00: still £1,000.00 more than its Year 10 share, because "
        "the money other partnerships' caps hold back is shared by Year 10 (without its cap it would get more)"
    )
    assert said["C"] is None


def test_floors_above_and_below_the_share_say_so_with_the_limit_as_given():
    # Year 10 100/100/200, previous £40,000 / £10,000 / £10,000, pot £60,000, loss limit 12.5%:
    # A's share £15,000 is raised to 87.5% of £40,000 = £35,000 (£20,000 more); B and C share the
    # £25,000 left 1:2, B 8,333.33 < its floor £8,750, so B is held at £8,750, £6,250 less than its
    # £15,000 share; C takes £16,250, above its £8,750 floor.
    said = notes({"A": "40000", "B": "10000", "C": "10000"}, 60000, protect_loss=D("12.5"))
    assert said["A"] == (
        "Protected: £20,000.00 more than its Year 10 share, so it does not fall more than 12.5% below its previous amount "
        "of £40,000.00"
    )
    assert said["B"] == (
        "Held at its floor, 12.5% below its previous amount of £10,000.00: still £6,250.00 less than its Year 10 share, "
        "because raising other partnerships to their floors leaves less to share by Year 10 (without its floor it would "
        "get less)"
    )
    assert said["C"] is None


def test_the_allocation_page_and_the_meeting_pack_show_the_same_words(norfolk, monkeypatch):
    from pypdf import PdfReader
    from test_dashboard import open_page

    app = open_page(norfolk, monkeypatch, "allocation", asof="2018-09-01", total="450000", slice="25000", loss="10", gain="10")
    table = app.dataframe[0].value
    protection = dict(zip(table["Code"], table["Protection"], strict=True))
    assert (protection["LOC1"], protection["LOC2"], protection["DC-NEN"]) == (LOC1, LOC2, "")
    con = db.connect_read_only(norfolk)
    try:
        pdf = meeting_pack.meeting_pack_pdf(con, ISSUE_SETTINGS, produced=dt.datetime(2026, 1, 20, 9, 30))
    finally:
        con.close()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Transition protection" in text
    assert f"LOC1 West (Locality 1): {LOC1}" in text and f"LOC2 West (Locality 2): {LOC2}" in text
