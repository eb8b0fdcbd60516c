"""Membership suggestions: every kind of gap a membership change can close gets its ranked
alternatives, with distances checked by hand from the fixtures' coordinates, and a plan of the
best suggestions closes the gaps it is meant to close."""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SMALL

from pipelines.base import config
from pipelines.datasets.build_default import build
from pipelines.rules import allocate, plan

AS_OF = dt.date(2025, 9, 1)
ROSTER_HEADER = "partnership_code,partnership_name,member_id,role,joined,left\n"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _centre(*points: tuple[float, float]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _places(folder: Path) -> dict[int, tuple[float, float]]:
    """Institution id (URN, else UKPRN) -> (latitude, longitude), read from the register file."""
    found = {}
    with open(folder / "register.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["latitude"]:
                found[int(row["urn"] or row["ukprn"])] = (float(row["latitude"]), float(row["longitude"]))
    return found


SMALL_PLACES = _places(SMALL)
ALPHA, BETA, GAMMA, DELTA, ZETA = (SMALL_PLACES[i] for i in (100001, 100002, 100003, 100004, 100006))
NORTHTOWN_COLLEGE = SMALL_PLACES[10000001]


def _variant(tmp_path: Path, name: str, *, register_extra: str = "", roster: str | None = None) -> tuple[Path, Path]:
    """A store built from the small files with extra register rows and/or another roster."""
    folder = tmp_path / name
    shutil.copytree(SMALL, folder)
    if register_extra:
        with open(folder / "register.csv", "a") as handle:
            handle.write(register_extra)
    if roster is not None:
        (folder / "roster.csv").write_text(ROSTER_HEADER + roster)
    store = tmp_path / f"{name}.duckdb"
    build(store, folder)
    return store, folder


def _suggestions(con, **kwargs) -> pl.DataFrame:
    return allocate.membership_suggestions(con, as_of=AS_OF, **kwargs)


def _for_gap(found: pl.DataFrame, code: str, *, institution: int | None = None, partnership: str | None = None) -> list[dict]:
    rows = found.filter(pl.col("gap_code") == code)
    if institution is not None:
        rows = rows.filter(pl.col("gap_institution_id") == institution)
    if partnership is not None:
        rows = rows.filter(pl.col("gap_partnership_code") == partnership)
    return rows.sort("rank", pl.col("change").replace({"remove": "0", "add": "1"}), "partnership_code").to_dicts()


def _changes(rows: list[dict]) -> tuple[plan.PlanChange, ...]:
    return tuple(
        plan.PlanChange(r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in rows if r["change"] != "none"
    )


def _gap_keys(con, changes=()) -> set[tuple]:
    gaps = allocate.coverage_gaps(con, as_of=AS_OF, changes=changes)
    return set(gaps.select("code", "partnership_code", "institution_id").iter_rows())


def _connect(store: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(store), read_only=True)


# --- institutions in no partnership ----------------------------------------------------------


def test_uncovered_school_ranks_partnerships_by_distance_to_their_centre(con):
    rows = _for_gap(_suggestions(con), "school_uncovered", institution=100006)
    north, south = _centre(ALPHA, GAMMA), _centre(BETA, DELTA)  # colleges do not pull the centre
    to_north, to_south = _km(ZETA, north), _km(ZETA, south)
    assert to_south < to_north  # the hand check: Zeta is nearer the South Partnership's centre
    assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in rows] == [
        (1, "add", "P2", 100006, "full"),
        (2, "add", "P1", 100006, "full"),
    ]
    assert rows[0]["distance_km"] == pytest.approx(round(to_south, 2), abs=0.005)
    assert rows[1]["distance_km"] == pytest.approx(round(to_north, 2), abs=0.005)
    assert rows[0]["gap_partnership_code"] is None and rows[0]["member_name"] == "Zeta High School"
    nearest_member = min((_km(ZETA, BETA), "Beta High School"), (_km(ZETA, DELTA), "Delta Short Stay School"))
    assert f"nearest member {nearest_member[1]} is {round(nearest_member[0], 1)} km away" in rows[0]["reason"]
    assert f"{round(to_south, 1)} km to its centre" in rows[0]["reason"]


def test_alternatives_limits_how_many_ways_are_offered(con):
    rows = _for_gap(_suggestions(con, alternatives=1), "school_uncovered", institution=100006)
    assert [(r["rank"], r["partnership_code"]) for r in rows] == [(1, "P2")]


def test_the_best_suggestion_for_an_uncovered_school_covers_it(con):
    rows = [r for r in _for_gap(_suggestions(con), "school_uncovered", institution=100006) if r["rank"] == 1]
    before, after = _gap_keys(con), _gap_keys(con, _changes(rows))
    assert ("school_uncovered", None, 100006) in before
    assert ("school_uncovered", None, 100006) not in after


def test_an_associate_is_made_a_full_member_rather_than_added_twice(con):
    rows = _for_gap(_suggestions(con), "wbl_not_full_member", institution=10000002)
    wbl = SMALL_PLACES[10000002]
    to_south, to_north = _km(wbl, _centre(BETA, DELTA)), _km(wbl, _centre(ALPHA, GAMMA))
    assert to_south < to_north
    # Rank 1: it is an associate of P2 already, so that role ends and the full one starts.
    assert [(r["rank"], r["change"], r["partnership_code"], r["role"]) for r in rows] == [
        (1, "remove", "P2", "associate"),
        (1, "add", "P2", "full"),
        (2, "add", "P1", "full"),
    ]
    assert rows[1]["distance_km"] == pytest.approx(round(to_south, 2), abs=0.005)
    assert rows[2]["distance_km"] == pytest.approx(round(to_north, 2), abs=0.005)
    assert "associate member now" in rows[1]["reason"]


def test_every_best_suggestion_on_the_small_data_is_a_valid_plan_that_closes_its_gap(con):
    best = _suggestions(con).filter(pl.col("rank") == 1)
    changes = _changes(best.to_dicts())
    assert len(changes) == 3
    assert plan.problems(con, changes, AS_OF) == []
    after = _gap_keys(con, changes)
    assert ("school_uncovered", None, 100006) not in after
    assert ("wbl_not_full_member", None, 10000002) not in after


DISTRICT_REGISTER = (
    "100008,,Theta High School,high_school,926,Northtown,open,,,,\n"  # no location, a district with members
    "100009,,Iota High School,high_school,926,Northtown,open,,,52.53,1.29\n"
    "100010,,Kappa High School,high_school,926,,open,,,,\n"  # neither location nor district
    "100011,,Lambda High School,high_school,926,Westtown,open,,,,\n"  # a district no partnership has
)
DISTRICT_ROSTER = (
    "P1,North Partnership,100001,full,2009-09-01,\n"
    "P1,North Partnership,100003,full,2009-09-01,\n"
    "P1,North Partnership,10000001,full,2009-09-01,\n"
    "P2,South Partnership,100002,full,2009-09-01,\n"
    "P2,South Partnership,100004,full,2009-09-01,\n"
    "P2,South Partnership,100009,full,2009-09-01,\n"
    "P2,South Partnership,10000001,full,2009-09-01,\n"
    "P2,South Partnership,10000002,associate,2010-01-01,\n"
)


@pytest.fixture
def district_store(tmp_path) -> Path:
    store, _ = _variant(tmp_path, "district", register_extra=DISTRICT_REGISTER, roster=DISTRICT_ROSTER)
    return store


def test_uncovered_school_without_location_is_placed_by_district(district_store):
    con = _connect(district_store)
    try:
        rows = _for_gap(_suggestions(con), "school_uncovered", institution=100008)
    finally:
        con.close()
    # Northtown: P1 has Alpha and Gamma, P2 has Iota; so P1 first.
    assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["distance_km"]) for r in rows] == [
        (1, "add", "P1", 100008, None),
        (2, "add", "P2", 100008, None),
    ]
    assert "by district" in rows[0]["reason"] and "2 of its member schools are in Northtown" in rows[0]["reason"]
    assert "1 of its member schools are in Northtown" in rows[1]["reason"]


@pytest.mark.parametrize("urn", [100010, 100011])
def test_uncovered_school_with_neither_location_nor_district_needs_a_location(district_store, urn):
    con = _connect(district_store)
    try:
        rows = _for_gap(_suggestions(con), "school_uncovered", institution=urn)
    finally:
        con.close()
    assert len(rows) == 1
    row = rows[0]
    assert (row["rank"], row["change"], row["partnership_code"], row["member_id"], row["role"]) == (1, "none", None, urn, None)
    assert row["reason"].startswith("needs a location")


def test_a_needs_a_location_row_is_a_plan_that_changes_nothing(district_store):
    con = _connect(district_store)
    try:
        rows = _for_gap(_suggestions(con), "school_uncovered", institution=100010)
        changes = tuple(plan.PlanChange(r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in rows)
        assert plan.problems(con, changes, AS_OF) == []
        assert plan.effective(changes) == ()
    finally:
        con.close()


# --- a school in several partnerships --------------------------------------------------------


def test_school_in_two_partnerships_keeps_the_nearer_centre(tmp_path):
    roster = (
        DISTRICT_ROSTER.replace("P2,South Partnership,100009,full,2009-09-01,\n", "")
        + "P1,North Partnership,100006,full,2012-09-01,\nP2,South Partnership,100006,full,2012-09-01,\n"
    )
    store, _ = _variant(tmp_path, "multiple", roster=roster)
    north, south = _centre(ALPHA, GAMMA, ZETA), _centre(BETA, DELTA, ZETA)
    to_north, to_south = _km(ZETA, north), _km(ZETA, south)
    assert to_south < to_north
    con = _connect(store)
    try:
        rows = _for_gap(_suggestions(con), "school_multiple", institution=100006)
        # Rank 1 keeps it in P2 (nearer centre): it leaves P1. Rank 2 keeps P1 and leaves P2.
        assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"]) for r in rows] == [
            (1, "remove", "P1", 100006),
            (2, "remove", "P2", 100006),
        ]
        assert rows[0]["distance_km"] == pytest.approx(round(to_north, 2), abs=0.005)
        assert rows[1]["distance_km"] == pytest.approx(round(to_south, 2), abs=0.005)
        assert rows[0]["reason"].startswith(f"keep it in South Partnership ({round(to_south, 1)} km to its centre)")
        best = _changes([r for r in rows if r["rank"] == 1])
        before, after = _gap_keys(con), _gap_keys(con, best)
        assert {("school_multiple", "P1", 100006), ("school_multiple", "P2", 100006)} <= before
        assert not any(code == "school_multiple" for code, _, _ in after)
        assert ("school_uncovered", None, 100006) not in after
    finally:
        con.close()


# --- a partnership without a college ---------------------------------------------------------


def test_partnership_without_college_is_offered_the_nearest_open_colleges(tmp_path):
    register = (
        ",10000003,Coast College,college,926,Easttown,open,,,52.62,1.60\n"
        ",10000004,Old College,college,926,Easttown,closed,1990-09-01,2015-08-31,52.60,1.69\n"
    )
    roster = (
        DISTRICT_ROSTER.replace("P2,South Partnership,100009,full,2009-09-01,\n", "")
        + "P3,East Partnership,100006,full,2012-09-01,\n"
    )
    store, folder = _variant(tmp_path, "nocollege", register_extra=register, roster=roster)
    places = _places(folder)
    to_coast, to_northtown = _km(ZETA, places[10000003]), _km(ZETA, NORTHTOWN_COLLEGE)
    assert _km(ZETA, places[10000004]) < to_coast < to_northtown  # the closed college is nearest of all
    con = _connect(store)
    try:
        rows = _for_gap(_suggestions(con), "partnership_no_college", partnership="P3")
        assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in rows] == [
            (1, "add", "P3", 10000003, "full"),
            (2, "add", "P3", 10000001, "full"),
        ]  # the closed college, nearer than both, is never offered
        assert rows[0]["distance_km"] == pytest.approx(round(to_coast, 2), abs=0.005)
        assert rows[1]["distance_km"] == pytest.approx(round(to_northtown, 2), abs=0.005)
        assert rows[0]["reason"].startswith("bring in Coast College")
        before, after = _gap_keys(con), _gap_keys(con, _changes(rows[:1]))
        assert ("partnership_no_college", "P3", None) in before
        assert ("partnership_no_college", "P3", None) not in after
        assert ("college_not_full_member", None, 10000003) not in after
    finally:
        con.close()


# --- a travel outlier --------------------------------------------------------------------------


def test_travel_outlier_is_moved_to_a_nearer_centre(tmp_path):
    register = "100009,,Iota High School,high_school,926,Southtown,open,,,52.45,1.35\n"
    roster = (
        "P1,North Partnership,100001,full,2009-09-01,\n"
        "P1,North Partnership,100003,full,2009-09-01,\n"
        "P1,North Partnership,100002,full,2009-09-01,\n"
        "P1,North Partnership,10000001,full,2009-09-01,\n"
        "P2,South Partnership,100004,full,2009-09-01,\n"
        "P2,South Partnership,10000001,full,2009-09-01,\n"
        "P3,Coast Partnership,100009,full,2012-09-01,\n"
        "P3,Coast Partnership,10000001,full,2012-09-01,\n"
    )
    store, folder = _variant(tmp_path, "outlier", register_extra=register, roster=roster)
    iota = _places(folder)[100009]
    own = _km(BETA, _centre(ALPHA, GAMMA, BETA))
    to_p2, to_p3 = _km(BETA, DELTA), _km(BETA, iota)  # one located school each: the centre is the school
    assert to_p2 < to_p3 < own
    con = _connect(store)
    try:
        found = _suggestions(con)
        outliers = {
            (g, i)
            for g, i in found.filter(pl.col("gap_code") == "travel_outlier")
            .select("gap_partnership_code", "gap_institution_id")
            .iter_rows()
        }
        assert outliers == {("P1", 100002)}
        rows = _for_gap(found, "travel_outlier", institution=100002)
        assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in rows] == [
            (1, "remove", "P1", 100002, "full"),
            (1, "add", "P2", 100002, "full"),
            (2, "remove", "P1", 100002, "full"),
            (2, "add", "P3", 100002, "full"),
        ]
        assert [r["distance_km"] for r in rows] == pytest.approx(
            [round(own, 2), round(to_p2, 2), round(own, 2), round(to_p3, 2)], abs=0.005
        )
        assert all(r["gap_partnership_code"] == "P1" for r in rows)
        assert rows[0]["reason"] == (
            f"move to South Partnership: {round(to_p2, 1)} km to its centre against "
            f"{round(own, 1)} km to the centre of North Partnership"
        )
        best = _changes([r for r in rows if r["rank"] == 1])
        assert ("travel_outlier", "P1", 100002) in _gap_keys(con)
        after = _gap_keys(con, best)
        assert not any(code == "travel_outlier" and iid == 100002 for code, _, iid in after)
        roster_after = plan.proposed_roster(con, best, AS_OF)
        beta = (
            roster_after.filter(pl.col("member_id") == 100002)
            .sort("partnership_code")
            .select("partnership_code", "joined", "left")
            .rows()
        )
        assert beta == [("P1", dt.date(2009, 9, 1), AS_OF - dt.timedelta(days=1)), ("P2", AS_OF, None)]
    finally:
        con.close()


# --- roster entries that should come off -------------------------------------------------------


@pytest.fixture
def fix_store(tmp_path) -> Path:
    roster = (
        DISTRICT_ROSTER.replace("P2,South Partnership,100009,full,2009-09-01,\n", "")
        + "P1,North Partnership,100005,full,2009-09-01,\n"  # Epsilon: closed in 2015
        + "P1,North Partnership,100007,full,2009-09-01,\n"
    )  # Eta: an independent school (kind other)
    store, _ = _variant(tmp_path, "fix", roster=roster)
    writer = duckdb.connect(str(store))
    writer.execute("INSERT INTO memberships VALUES ('P2', 123456, 'full', '2009-09-01', NULL, 'register since changed')")
    writer.close()
    return store


def test_closed_unknown_and_out_of_scope_members(fix_store):
    con = _connect(fix_store)
    try:
        found = _suggestions(con)
        closed = _for_gap(found, "member_closed", institution=100005)
        unknown = _for_gap(found, "member_unknown", institution=123456)
        scope = _for_gap(found, "member_out_of_scope", institution=100007)
    finally:
        con.close()
    assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in closed] == [
        (1, "remove", "P1", 100005, "full")
    ]
    assert closed[0]["gap_partnership_code"] == "P1" and "closed" in closed[0]["reason"]
    assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"]) for r in unknown] == [(1, "remove", "P2", 123456)]
    assert "not in the register" in unknown[0]["reason"]
    assert [(r["rank"], r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in scope] == [
        (1, "remove", "P1", 100007, "full"),
        (1, "add", "P1", 100007, "associate"),
    ]
    assert scope[0]["member_name"] == "Eta Independent School" and "associate" in scope[0]["reason"]


def test_closed_and_out_of_scope_fixes_close_their_gaps(fix_store):
    con = _connect(fix_store)
    try:
        found = _suggestions(con)
        rows = _for_gap(found, "member_closed", institution=100005) + _for_gap(found, "member_out_of_scope", institution=100007)
        changes = _changes(rows)
        assert plan.problems(con, changes, AS_OF) == []
        before, after = _gap_keys(con), _gap_keys(con, changes)
        roster = plan.proposed_roster(con, changes, AS_OF)
    finally:
        con.close()
    assert {("member_closed", "P1", 100005), ("member_out_of_scope", "P1", 100007)} <= before
    assert ("member_closed", "P1", 100005) not in after
    assert ("member_out_of_scope", "P1", 100007) not in after
    eta = roster.filter(pl.col("member_id") == 100007).sort("joined").select("role", "joined", "left").rows()
    assert eta == [("full", dt.date(2009, 9, 1), AS_OF - dt.timedelta(days=1)), ("associate", AS_OF, None)]


# --- the real default data -------------------------------------------------------------------

DEFAULT_AS_OF = dt.date(2018, 9, 1)


@pytest.fixture(scope="module")
def default_con(tmp_path_factory):
    store = tmp_path_factory.mktemp("default") / "default.duckdb"
    build(store, config.DEFAULT_DATA_DIR)
    con = duckdb.connect(str(store), read_only=True)
    yield con
    con.close()


def _counts(gaps: pl.DataFrame) -> dict[str, int]:
    return dict(gaps.group_by("code").len().iter_rows())


def test_rank_one_plan_on_the_default_data_closes_gaps_and_keeps_the_pot(default_con):
    con = default_con
    before = allocate.coverage_gaps(con, as_of=DEFAULT_AS_OF)
    counts_before = _counts(before)
    assert counts_before.get("school_uncovered") == 5
    assert counts_before.get("partnership_no_college") == 3
    assert counts_before.get("travel_outlier") == 17

    found = allocate.membership_suggestions(con, as_of=DEFAULT_AS_OF)
    best = found.filter(pl.col("rank") == 1)
    # Every gap a membership change can close has a best suggestion; a school that is also in the
    # nearer partnership is closed by its school_multiple suggestion (leave the farther one).
    multiple = set(before.filter(pl.col("code") == "school_multiple")["institution_id"])
    closable = before.filter(
        pl.col("code").is_in(["school_uncovered", "partnership_no_college", "travel_outlier"])
        & ~((pl.col("code") == "travel_outlier") & pl.col("institution_id").is_in(list(multiple)))
    )
    suggested = set(best.select("gap_code", "gap_partnership_code", "gap_institution_id").iter_rows())
    assert set(closable.select("code", "partnership_code", "institution_id").iter_rows()) <= suggested
    assert {("school_multiple", None, i) for i in multiple} <= suggested
    # two gaps of one school can share a best change (leave the farther partnership): once in a plan
    changes = tuple(dict.fromkeys(_changes(best.to_dicts())))
    assert changes and plan.problems(con, changes, DEFAULT_AS_OF) == []

    after = allocate.coverage_gaps(con, as_of=DEFAULT_AS_OF, changes=changes)
    counts_after = _counts(after)
    assert counts_after.get("partnership_no_college", 0) == 0
    assert counts_after.get("travel_outlier", 0) < 17
    placed = set(best.filter((pl.col("gap_code") == "school_uncovered") & (pl.col("change") == "add"))["member_id"])
    assert placed
    assert counts_after.get("school_uncovered", 0) == 5 - len(placed)
    still_uncovered = set(after.filter(pl.col("code") == "school_uncovered")["institution_id"])
    assert not placed & still_uncovered
    # the moved schools are no longer outliers where they were
    moved = {
        (r["gap_partnership_code"], r["gap_institution_id"])
        for r in best.filter(pl.col("gap_code") == "travel_outlier").iter_rows(named=True)
    }
    outliers_after = {
        (p, i)
        for p, i in after.filter(pl.col("code") == "travel_outlier").select("partnership_code", "institution_id").iter_rows()
    }
    assert not moved & outliers_after

    total = Decimal(500000)
    allocation = allocate.allocate(con, allocate.AllocationSettings(total=total, as_of=DEFAULT_AS_OF, changes=changes))
    assert sum(allocation["amount"].to_list()) == total
    current = allocate.allocate(con, allocate.AllocationSettings(total=total, as_of=DEFAULT_AS_OF))
    assert sum(current["amount"].to_list()) == total
    assert allocation["year10"].sum() == current["year10"].sum() + _added_year10(con, placed)


def _added_year10(con, urns: set[int]) -> Decimal:
    """Year 10 the placed schools bring (high and special schools only) on the default census."""
    census = allocate.default_census(con, as_of=DEFAULT_AS_OF)["census_date"]
    rows = con.execute(
        "SELECT coalesce(sum(r.headcount), 0) FROM census_rolls AS r JOIN stg_institutions AS i ON i.institution_id = r.urn "
        "WHERE r.nc_year = 10 AND r.census_date = ? AND i.counts_year10 AND r.urn IN (SELECT unnest(?))",
        [census, sorted(urns)],
    ).fetchone()
    return Decimal(rows[0])
