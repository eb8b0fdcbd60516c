"""The data's own reference date as the default as-of day, and the census that money is shared
on: never a partial one by default, never one missing a funded school unless accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from scenario import AS_OF, CENSUS, Member, accredited, empty_store, fill

from pipelines.base import config
from pipelines.cli.main import main
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, load
from pipelines.ingest.problems import ValidationFailed
from pipelines.rules.allocate import (
    AllocationRefused,
    AllocationSettings,
    allocate,
    coverage_gaps,
    dataset_info,
    default_census,
)
from pipelines.rules.links import KEYS, from_query, summary, to_query
from pipelines.store import db

COMPLETE = dt.date(2025, 1, 16)  # the small dataset's census: every member school has Year 10
NEWER = dt.date(2026, 1, 15)


def _load(store, tmp_path, kind: str, text: str, name: str | None = None):
    path = tmp_path / (name or f"{kind}.csv")
    path.write_text(text)
    return load(Upload.from_path(kind, path), store)


def _one_row_newer_census(store, tmp_path):
    return _load(store, tmp_path, "census", f"urn,census_date,nc_year,headcount\n100001,{NEWER},10,5\n", "one_school.csv")


def _read(store):
    return duckdb.connect(str(store), read_only=True)


def _amounts(frame) -> dict[str, Decimal]:
    return dict(frame.select("partnership_code", "amount").rows())


# --- the default census -------------------------------------------------------------------------


def test_a_one_row_newer_census_leaves_the_default_on_the_complete_one(store, tmp_path):
    chosen = AllocationSettings(total=10000, include_pending=True, as_of=AS_OF)
    with _read(store) as con:
        before = allocate(con, chosen)
    _one_row_newer_census(store, tmp_path)
    with _read(store) as con:
        after = allocate(con, chosen)
        census = default_census(con, as_of=AS_OF, include_pending=True)
        gaps = coverage_gaps(con, as_of=AS_OF, include_pending=True)
    assert _amounts(after) == _amounts(before) == {"P1": Decimal("3750.00"), "P2": Decimal("6250.00")}
    assert set(after["census_date"]) == {COMPLETE}
    assert census == {"census_date": COMPLETE, "complete": True, "latest_census_date": NEWER, "as_of": AS_OF}
    assert not [g for g in gaps.iter_rows(named=True) if g["code"] == "census_missing"]


def test_a_newer_census_becomes_the_default_once_it_is_complete(store, tmp_path):
    _load(
        store,
        tmp_path,
        "census",
        f"urn,census_date,nc_year,headcount\n100001,{NEWER},10,50\n100002,{NEWER},10,50\n100003,{NEWER},10,50\n",
    )
    with _read(store) as con:
        census = default_census(con, as_of=AS_OF, include_pending=True)
        frame = allocate(con, AllocationSettings(total=900, include_pending=True, as_of=AS_OF))
    assert census["census_date"] == NEWER and census["complete"]
    assert set(frame["census_date"]) == {NEWER}
    assert _amounts(frame) == {"P1": Decimal("600.00"), "P2": Decimal("300.00")}


def test_completeness_counts_only_the_funded_partnerships(store, tmp_path):
    """Beta High (P2, pending) has no figure on the newer census: it matters only when P2 is funded."""
    _load(store, tmp_path, "census", f"urn,census_date,nc_year,headcount\n100001,{NEWER},10,50\n100003,{NEWER},10,50\n")
    with _read(store) as con:
        assert default_census(con, as_of=AS_OF)["census_date"] == NEWER
        assert default_census(con, as_of=AS_OF, include_pending=True)["census_date"] == COMPLETE
        assert default_census(con, as_of=AS_OF, treat_as_accredited=("P2",))["census_date"] == COMPLETE


def test_with_no_complete_census_the_latest_is_the_default_and_the_allocation_says_why(store, tmp_path):
    _load(store, tmp_path, "register", "urn,name,kind,status\n200001,Kappa High,high_school,open\n")
    _load(
        store,
        tmp_path,
        "roster",
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,200001,full,2009-09-01\n",
    )
    with _read(store) as con:
        census = default_census(con, as_of=AS_OF)
        with pytest.raises(AllocationRefused, match=r"Kappa High \(URN 200001\)\. Load .*\(no loaded census has them all\)"):
            allocate(con, AllocationSettings(total=10000, as_of=AS_OF))
    assert census["census_date"] == COMPLETE and census["complete"] is False


# --- the refusal and accepting it ---------------------------------------------------------------


def test_choosing_the_incomplete_census_is_refused_naming_the_school(store, tmp_path):
    _one_row_newer_census(store, tmp_path)
    with _read(store) as con, pytest.raises(AllocationRefused) as refusal:
        allocate(con, AllocationSettings(total=10000, census_date=NEWER, include_pending=True, as_of=AS_OF))
    message = str(refusal.value)
    assert message.startswith("2 member school(s) of funded partnerships have no Year 10 figure on the 15 January 2026 census")
    assert "Beta High School (URN 100002); Gamma Special School (URN 100003)" in message
    assert "Alpha High School" not in message  # it has its figure
    assert "choose the latest census that has them all (the default when none is chosen)" in message
    assert "--accept-missing-census" in message


def test_accepting_the_missing_figures_allocates_on_the_chosen_census(store, tmp_path):
    _one_row_newer_census(store, tmp_path)
    with _read(store) as con:
        frame = allocate(
            con, AllocationSettings(total=10000, census_date=NEWER, include_pending=True, as_of=AS_OF, accept_missing_census=True)
        )
    assert _amounts(frame) == {"P1": Decimal("10000.00"), "P2": Decimal("0.00")}
    assert set(frame["census_date"]) == {NEWER}


def test_the_refusal_names_ten_schools_then_how_many_more():
    missing = [Member(100010 + i, year10=None) for i in range(12)]
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=50), *missing], "B": [Member(100002, year10=50)]}))
    params = AllocationSettings(total=1000, as_of=AS_OF, census_date=CENSUS)
    with pytest.raises(AllocationRefused) as refusal:
        allocate(con, params)
    message = str(refusal.value)
    assert message.startswith("12 member school(s)")
    named = [f"Institution {100010 + i} (URN {100010 + i})" for i in range(12)]
    assert all(n in message for n in named[:10]) and not any(n in message for n in named[10:])
    assert "(URN 100019) and 2 more." in message
    accepted = allocate(con, AllocationSettings(total=1000, as_of=AS_OF, census_date=CENSUS, accept_missing_census=True))
    assert _amounts(accepted) == {"A": Decimal("500.00"), "B": Decimal("500.00")}


def test_a_missing_pru_or_unfunded_school_does_not_refuse():
    con = fill(empty_store(), accredited({"A": [Member(100001, year10=50), Member(100009, "pru", year10=None)]}))
    con.execute("INSERT INTO partnerships VALUES ('B', 'Partnership B', 'test')")
    con.execute(
        "INSERT INTO institutions (institution_id, urn, name, kind, status) VALUES (100002, 100002, 'Unfunded High', 'high_school', 'open')"
    )
    con.execute("INSERT INTO memberships VALUES ('B', 100002, 'full', DATE '2009-09-01', NULL, 'test')")
    frame = allocate(con, AllocationSettings(total=100, as_of=AS_OF, census_date=CENSUS))
    assert _amounts(frame) == {"A": Decimal("100.00"), "B": Decimal("0.00")}


def test_the_setting_travels_in_links_and_words():
    chosen = AllocationSettings(total=1000, accept_missing_census=True)
    query = to_query(chosen)
    assert query["missing"] == "1" and "missing" in KEYS
    assert from_query(query)[0] == chosen
    assert "missing" not in to_query(AllocationSettings(total=1000))
    assert from_query({"total": "1000"})[0].accept_missing_census is False
    assert "schools missing from the census accepted" in summary(chosen)
    assert ("Schools missing from the census accepted (counted as 0)", "yes") in chosen.describe()
    assert chosen.parameters()["accept_missing_census"] is True


def test_the_command_line_refuses_then_accepts(store, tmp_path, capsys):
    _one_row_newer_census(store, tmp_path)
    capsys.readouterr()
    args = ["allocate", "--total", "10000", "--census", str(NEWER), "--as-of", str(AS_OF), "--db", str(store)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "allocation refused: 1 member school(s)" in err and "Gamma Special School (URN 100003)" in err
    assert main(args + ["--accept-missing-census"]) == 0
    assert "Total £10,000.00 equals the pot £10,000.00; census 15 January 2026" in capsys.readouterr().out
    assert main(["allocate", "--total", "10000", "--as-of", str(AS_OF), "--db", str(store)]) == 0
    assert "census 16 January 2025" in capsys.readouterr().out


def test_command_line_help_gives_the_defaults(capsys):
    for command in ("allocate", "gaps"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "default: the data's reference date, else today" in text
    with pytest.raises(SystemExit):
        main(["allocate", "--help"])
    assert "--accept-missing-census" in capsys.readouterr().out


# --- the partial census warning -----------------------------------------------------------------


def test_a_much_smaller_newer_census_loads_with_a_warning_naming_both_counts_and_dates(store, tmp_path):
    result = _one_row_newer_census(store, tmp_path)
    warnings = [w for w in result.report.warnings if w.check == "partial_census"]
    assert len(warnings) == 1 and result.rows == 1
    text = str(warnings[0])
    assert "the 2026-01-15 census in this file has Year 10 figures for 1 school(s)" in text
    assert "the store's latest (2025-01-16) for 5" in text


def test_no_warning_for_a_full_newer_census_or_a_correction_to_the_latest(store, tmp_path):
    full = "urn,census_date,nc_year,headcount\n" + "".join(
        f"{urn},{NEWER},10,10\n" for urn in (100001, 100002, 100003)
    )  # 3 of 5: at least half
    assert not [w for w in _load(store, tmp_path, "census", full, "full.csv").report.warnings if w.check == "partial_census"]
    correction = f"urn,census_date,nc_year,headcount\n100001,{NEWER},10,11\n"  # same date as the latest now
    assert not _load(store, tmp_path, "census", correction, "fix.csv").report.warnings


def test_the_threshold_is_the_one_in_settings(store, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PARTIAL_CENSUS_SHARE", 0.1)  # 1 school of 5 is no longer "far fewer"
    assert not _one_row_newer_census(store, tmp_path).report.warnings


# --- the reference date -------------------------------------------------------------------------


def _dataset(store, tmp_path, day: str, name: str = "Test data") -> None:
    _load(store, tmp_path, "dataset", f"reference_date,name,description\n{day},{name},for tests\n", f"dataset_{day}.csv")


def test_a_store_without_a_dataset_row_uses_today(store):
    today = dt.date.today()
    with _read(store) as con:
        info = dataset_info(con)
        frame = allocate(con, AllocationSettings(total=1000))
        assert con.execute("SELECT effective_as_of(NULL)").fetchall() == [(today,)]
        accreditation = con.sql(db.read_sql("reports/accreditation.sql"), params={"as_of": None}).pl()
    assert info == {"name": None, "reference_date": None, "description": None, "source": None}
    assert set(frame["as_of"]) == {today}
    assert set(accreditation["status"]) == {"accredited", "pending"}


def test_the_reference_date_drives_as_of_in_allocation_gaps_and_reports(store, tmp_path):
    _dataset(store, tmp_path, "2024-09-01")
    with _read(store) as con:
        info = dataset_info(con)
        frame = allocate(con, AllocationSettings(total=1000))
        gaps = coverage_gaps(con)
        census = default_census(con)
    assert info["reference_date"] == dt.date(2024, 9, 1) and info["name"] == "Test data"
    assert set(frame["as_of"]) == {dt.date(2024, 9, 1)}
    assert census["as_of"] == dt.date(2024, 9, 1)
    # P1's review is due 2025-06-01: overdue today, nine months away on the reference date.
    assert "review_due" not in set(gaps["code"])
    # Before P1's accreditation (2024-06-01) nobody is funded, in the allocation and in the reports.
    _dataset(store, tmp_path, "2024-05-01")
    with _read(store) as con:
        with pytest.raises(AllocationRefused, match="no partnership is funded"):
            allocate(con, AllocationSettings(total=1000))
        accreditation = con.sql(db.read_sql("reports/accreditation.sql"), params={"as_of": None}).pl()
        explicit = allocate(con, AllocationSettings(total=1000, as_of=AS_OF))
    assert accreditation["status"].to_list() == [None, None]
    assert set(explicit["as_of"]) == {AS_OF}  # a chosen day still wins


def test_loading_a_dataset_file_replaces_the_row(store, tmp_path):
    _dataset(store, tmp_path, "2024-09-01", "First")
    _dataset(store, tmp_path, "2023-09-01", "Second")
    with _read(store) as con:
        assert con.execute("SELECT count(*), any_value(name), any_value(reference_date) FROM dataset").fetchall() == [
            (1, "Second", dt.date(2023, 9, 1))
        ]


def test_a_dataset_file_must_have_exactly_one_row(store, tmp_path):
    with pytest.raises(ValidationFailed) as failure:
        _load(store, tmp_path, "dataset", "reference_date,name\n2024-09-01,One\n2024-09-02,Two\n")
    problem = next(p for p in failure.value.report.errors if p.check == "one_row")
    assert problem.row == 3 and problem.file == "dataset.csv" and "row 2 already does" in problem.expected
    with pytest.raises(ValidationFailed, match="reference_date"):
        _load(store, tmp_path, "dataset", "name\nNo date\n", "nodate.csv")
    with _read(store) as con:
        assert dataset_info(con)["reference_date"] is None


def test_the_default_norfolk_data_is_as_of_the_start_of_2018_19(tmp_path):
    path = tmp_path / "norfolk.duckdb"
    build(path)
    with _read(path) as con:
        info = dataset_info(con)
        gaps = coverage_gaps(con)
        frame = allocate(con, AllocationSettings(total=500000))
    assert info["reference_date"] == dt.date(2018, 9, 1)
    assert "2018/19" in info["description"]
    assert set(frame["as_of"]) == {dt.date(2018, 9, 1)} and set(frame["census_date"]) == {dt.date(2018, 1, 18)}
    assert not any("overdue" in d for d in gaps["detail"])  # reviews are due 2019-03-01
