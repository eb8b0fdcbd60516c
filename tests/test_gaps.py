"""Every coverage-gap code, raised on the small text dataset by the change that causes it."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from pipelines.base import config
from pipelines.ingest.load import Upload, load
from pipelines.rules.allocate import coverage_gaps, gap_codes
from pipelines.store import db

AS_OF = dt.date(2025, 9, 1)


def _gaps(store, **kwargs) -> list[dict]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return list(coverage_gaps(con, as_of=AS_OF, **kwargs).iter_rows(named=True))
    finally:
        con.close()


def _load(store, tmp_path, kind: str, text: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    load(Upload.from_path(kind, path), store)


def _only(gaps: list[dict], code: str) -> list[dict]:
    return [g for g in gaps if g["code"] == code]


def test_small_dataset_has_exactly_its_known_gaps(store):
    got = sorted((g["code"], g["severity"], g["partnership_code"], g["institution_id"]) for g in _gaps(store))
    assert got == [
        ("not_accredited", "warning", "P2", None),
        ("review_due", "warning", "P1", None),
        ("school_uncovered", "error", None, 100006),
        ("wbl_not_full_member", "warning", None, 10000002),
    ]
    uncovered = _only(_gaps(store), "school_uncovered")[0]
    assert uncovered["institution_name"] == "Zeta High School" and uncovered["district"] == "Easttown"
    assert uncovered["action"] == "Add it to the roster of its local partnership."


def test_school_multiple(store, tmp_path):
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P3,East Partnership,100006,full,2012-09-01\nP3,East Partnership,100001,full,2012-09-01\nP3,East Partnership,10000001,full,2012-09-01\n",
    )
    rows = _only(_gaps(store), "school_multiple")
    assert {(g["partnership_code"], g["institution_id"]) for g in rows} == {("P1", 100001), ("P3", 100001)}
    assert "1/2 in each" in rows[0]["detail"]


def test_college_not_full_member_and_only_associate(store, tmp_path):
    _load(store, tmp_path, "register", "ukprn,name,kind,status\n10000003,Coast College,college,open\n")
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P2,South Partnership,100002,full,2009-09-01\nP2,South Partnership,100004,full,2009-09-01\n"
        "P2,South Partnership,10000001,full,2009-09-01\nP2,South Partnership,10000003,associate,2009-09-01\n",
    )
    row = _only(_gaps(store), "college_not_full_member")[0]
    assert row["institution_id"] == 10000003 and "only an associate member of P2" in row["detail"]


def test_partnership_without_college_or_school(store, tmp_path):
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P3,East Partnership,100006,full,2012-09-01\nP4,Training Partnership,10000002,full,2012-09-01\n",
    )
    gaps = _gaps(store)
    assert {g["partnership_code"] for g in _only(gaps, "partnership_no_college")} == {"P3", "P4"}
    assert [g["partnership_code"] for g in _only(gaps, "partnership_no_school")] == ["P4"]


def test_member_unknown(store):
    con = duckdb.connect(str(store))
    con.execute("INSERT INTO memberships VALUES ('P1', 123456, 'full', '2009-09-01', NULL, 'register since changed')")
    con.close()
    row = _only(_gaps(store), "member_unknown")[0]
    assert (row["partnership_code"], row["institution_id"], row["severity"]) == ("P1", 123456, "error")


def test_member_closed(store, tmp_path):
    _load(
        store, tmp_path, "register", "urn,name,kind,status,closed\n100003,Gamma Special School,special_school,closed,2025-08-31\n"
    )
    row = _only(_gaps(store), "member_closed")[0]
    assert (row["partnership_code"], row["institution_id"]) == ("P1", 100003)


def test_member_out_of_scope(store, tmp_path):
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,100007,full,2009-09-01\n",
    )
    assert _only(_gaps(store), "member_out_of_scope")[0]["institution_id"] == 100007


def test_census_missing_is_an_error_only_where_it_costs_money(store, tmp_path):
    _load(
        store,
        tmp_path,
        "register",
        "urn,name,kind,status,latitude,longitude\n"
        "200001,Kappa High,high_school,open,52.71,1.21\n200002,Lambda High,high_school,open,52.51,1.29\n",
    )
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,200001,full,2009-09-01\n"
        "P2,South Partnership,100002,full,2009-09-01\nP2,South Partnership,100004,full,2009-09-01\n"
        "P2,South Partnership,10000001,full,2009-09-01\nP2,South Partnership,200002,full,2009-09-01\n",
    )
    severity = {g["institution_id"]: g["severity"] for g in _only(_gaps(store), "census_missing")}
    assert severity == {200001: "error", 200002: "warning"}  # P2 is pending: not funded
    severity = {g["institution_id"]: g["severity"] for g in _only(_gaps(store, include_pending=True), "census_missing")}
    assert severity == {200001: "error", 200002: "error"}


def test_not_accredited_says_whether_it_is_funded(store):
    assert "not funded" in _only(_gaps(store), "not_accredited")[0]["detail"]
    assert "funded because pending" in _only(_gaps(store, include_pending=True), "not_accredited")[0]["detail"]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_travel_outlier_uses_real_distances_and_the_threshold(store, tmp_path):
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,100006,full,2009-09-01\n",
    )
    # Zeta (52.60, 1.70) and the centre of P1's three schools.
    centre = ((52.70 + 52.72 + 52.60) / 3, (1.20 + 1.22 + 1.70) / 3)
    km = round(_km((52.60, 1.70), centre), 1)
    assert 20 < km < 25
    assert not [g for g in _only(_gaps(store), "travel_outlier") if g["institution_id"] == 100006]
    flagged = [g for g in _only(_gaps(store, travel_km=20), "travel_outlier") if g["institution_id"] == 100006]
    assert flagged[0]["detail"] == f"Zeta High School is {km} km from the centre of North Partnership (more than 20 km)"


def test_travel_outlier_far_from_everyone(store, tmp_path):
    _load(
        store, tmp_path, "register", "urn,name,kind,status,latitude,longitude\n200003,Far Fen High,high_school,open,52.75,0.30\n"
    )
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,200003,full,2009-09-01\n",
    )
    rows = [g for g in _only(_gaps(store), "travel_outlier") if g["institution_id"] == 200003]
    assert rows and "(more than 25 km)" in rows[0]["detail"]
    assert not [g for g in _only(_gaps(store, travel_km=100), "travel_outlier") if g["institution_id"] == 200003]


def test_location_missing(store, tmp_path):
    _load(store, tmp_path, "register", "urn,name,kind,status\n100003,Gamma Special School,special_school,open\n")
    assert _only(_gaps(store), "location_missing")[0]["institution_id"] == 100003


def test_previous_unmatched(store, tmp_path):
    _load(store, tmp_path, "previous_allocation", "partnership_code,amount\nALB-OLD,5000\n")
    assert _only(_gaps(store), "previous_unmatched")[0]["partnership_code"] == "ALB-OLD"


def test_every_code_is_tested_and_documented(con):
    codes = set(gap_codes(con)["code"])
    source = open(__file__, encoding="utf-8").read()
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for code in codes:
        assert f'"{code}"' in source, f"no test raises {code}"
        assert f"`{code}`" in readme, f"README does not document {code}"


@pytest.mark.parametrize("as_of", [dt.date(2009, 8, 31), dt.date(2009, 9, 1)])
def test_memberships_count_from_their_joining_day(store, as_of):
    con = duckdb.connect(str(store), read_only=True)
    uncovered = set(
        coverage_gaps(con, as_of=as_of).filter(coverage_gaps(con, as_of=as_of)["code"] == "school_uncovered")["institution_id"]
    )
    con.close()
    assert (100001 in uncovered) == (as_of < dt.date(2009, 9, 1))


@pytest.mark.parametrize(
    ("decided_on", "review_due", "words"),
    [
        ("2024-06-01", "2025-06-01", "overdue since 1 June 2025 (92 days); still funded"),
        ("2025-06-01", "2025-10-31", "due on 31 October 2025 (in 60 days)"),
        ("2024-09-15", "", "due on 15 September 2025 (in 14 days)"),  # no date recorded: a year after the decision
    ],
)
def test_review_due_when_overdue_or_within_60_days(store, tmp_path, decided_on, review_due, words):
    _load(
        store,
        tmp_path,
        "accreditation",
        f"partnership_code,status,decided_on,review_due,notes\nP1,accredited,{decided_on},{review_due},\n",
    )
    rows = _only(_gaps(store), "review_due")
    assert [(g["partnership_code"], g["severity"]) for g in rows] == [("P1", "warning")]
    assert words in rows[0]["detail"]
    # The Overview asks for the reviews alone: the same rows, in the same words.
    con = db.connect_read_only(store)
    alone = con.sql(db.read_sql("reports/reviews_due.sql"), params={"as_of": AS_OF}).pl()
    con.close()
    assert alone.select("partnership_code", "detail").rows() == [(g["partnership_code"], g["detail"]) for g in rows]


def test_review_not_flagged_beyond_60_days_or_when_not_accredited(store, tmp_path):
    _load(
        store,
        tmp_path,
        "accreditation",
        "partnership_code,status,decided_on,review_due,notes\n"
        "P1,accredited,2025-06-01,2025-11-01,\nP2,not_accredited,2024-06-01,2024-07-01,\n",
    )
    assert _only(_gaps(store), "review_due") == []
