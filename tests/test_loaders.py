"""Good files of every kind load, in CSV and XLSX, in every accepted layout."""

from __future__ import annotations

import io

import duckdb
import polars as pl
import pytest
from conftest import SMALL
from storecheck import table_checksums

from pipelines.datasets.build_default import DEFAULT_FILES, build
from pipelines.ingest.load import Upload, load, load_all
from pipelines.ingest.problems import ValidationFailed


def _rows(store, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _xlsx(csv_path, sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    pl.read_csv(csv_path, infer_schema=False).write_excel(buffer, worksheet=sheet)
    return buffer.getvalue()


def test_small_dataset_loads_every_kind(con):
    counts = dict(
        con.execute("""
        SELECT 'institutions', count(*) FROM institutions UNION ALL
        SELECT 'census_rolls', count(*) FROM census_rolls UNION ALL
        SELECT 'memberships', count(*) FROM memberships UNION ALL
        SELECT 'partnerships', count(*) FROM partnerships UNION ALL
        SELECT 'accreditation_decisions', count(*) FROM accreditation_decisions UNION ALL
        SELECT 'health_check_results', count(*) FROM health_check_results UNION ALL
        SELECT 'previous_allocations', count(*) FROM previous_allocations UNION ALL
        SELECT 'load_log', count(*) FROM load_log
    """).fetchall()
    )
    assert counts == {
        "institutions": 9,
        "census_rolls": 6,
        "memberships": 7,
        "partnerships": 2,
        "accreditation_decisions": 2,
        "health_check_results": 4,
        "previous_allocations": 2,
        "load_log": 6,
    }
    assert con.execute("SELECT amount FROM previous_allocations WHERE partnership_code = 'P2'").fetchone()[0] == pytest.approx(
        2000.50
    )
    # An accreditation without a review date is due for review a year after the decision.
    assert (
        str(con.execute("SELECT review_due FROM accreditation_decisions WHERE partnership_code = 'P2'").fetchone()[0])
        == "2025-06-01"
    )


def test_xlsx_files_load_the_same_rows_as_csv(tmp_path, small_store_template):
    uploads = [
        Upload(kind, name.replace(".csv", ".xlsx"), _xlsx(SMALL / name, kind))
        for kind, name in DEFAULT_FILES
        if (SMALL / name).exists()
    ]
    store = tmp_path / "xlsx.duckdb"
    load_all(uploads, store, fresh=True)
    ours, theirs = table_checksums(store), table_checksums(small_store_template)
    for table in ("load_log", "audit_log", "schema_version"):  # they name the files and the times, which differ
        ours.pop(table), theirs.pop(table)
    assert ours == theirs


def test_wide_census_loads_the_same_rows_as_long(store, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("urn,census_date,year_9,year_10,year_11\n100002,2026-01-15,190,201,0\n100003,2026-01-15,18,22,19\n")
    load(Upload.from_path("census", wide), store)
    long = tmp_path / "long.csv"
    long.write_text(
        "urn,census_date,nc_year,headcount\n"
        "100002,2026-01-15,9,190\n100002,2026-01-15,10,201\n100002,2026-01-15,11,0\n"
        "100003,2026-01-15,9,18\n100003,2026-01-15,10,22\n100003,2026-01-15,11,19\n"
    )
    before = _rows(store, "SELECT urn, nc_year, headcount FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY ALL")
    load(Upload.from_path("census", long), store)
    after = _rows(store, "SELECT urn, nc_year, headcount FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY ALL")
    assert before == after and len(after) == 6


GIAS_HEADER = (
    "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
    "EstablishmentStatus (name),PhaseOfEducation (name),OpenDate,CloseDate,Easting,Northing,UKPRN,"
    "DistrictAdministrative (name),SomeOtherGIASColumn\n"
)


def test_gias_layout_loads_as_it_comes(store, tmp_path):
    rows = (
        "200101,926,Norfolk,4999,Académie Saint-Étienne’s High,Academy converter,Open,Secondary,01-09-2012,,651410,313177,,Great Yarmouth,x\n"
        '200102,926,Norfolk,7999,Riverside Special,Foundation special school,"Open, but proposed to close",Not applicable,,,,,,Norwich,\n'
        "200103,926,Norfolk,1199,Harbour Short Stay,Pupil referral unit,Closed,Not applicable,01-09-2001,31-08-2014,,,,Norwich,\n"
        "200104,926,Norfolk,2999,Meadow Primary,Academy converter,Open,Primary,,,,,,Norwich,\n"
        "200105,,,,Broadland Sixth Form College,Further education,Open,16 plus,,,,,10099999,Broadland,\n"
        "200106,926,Norfolk,6999,Oak Tree School,Other independent school,Open,Not applicable,,,,,,Norwich,\n"
    )
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes((GIAS_HEADER + rows).encode("cp1252"))
    result = load(Upload.from_path("register", path), store)
    assert result.report.layout == "gias" and not result.report.warnings
    got = {
        r[0]: r[1:]
        for r in _rows(store, "SELECT urn, name, kind, status, closed_on, ukprn, district FROM institutions WHERE urn > 200100")
    }
    assert got[200101][:3] == ("Académie Saint-Étienne’s High", "high_school", "open")
    assert got[200102][1:3] == ("special_school", "proposed_to_close")
    assert got[200103][1:4] == ("pru", "closed", __import__("datetime").date(2014, 8, 31))
    assert got[200104][1] == "other"  # primary schools are outside the 14-19 rules
    assert got[200105][1] == "college" and got[200105][4] == 10099999
    assert got[200106][1] == "other"
    lat, lon = _rows(store, "SELECT latitude, longitude FROM institutions WHERE urn = 200101")[0]
    # OS grid reference TG 51410 13177 is Caister-on-Sea, on the Norfolk coast.
    assert abs(lat - 52.6576) < 0.005 and abs(lon - 1.7179) < 0.005


def test_gias_unknown_type_is_kept_as_other_with_a_warning(store, tmp_path):
    path = tmp_path / "gias.csv"
    path.write_bytes(
        (GIAS_HEADER + "200201,926,Norfolk,1,Space Academy,Lunar school,Open,Secondary,,,,,,Norwich,\n").encode("cp1252")
    )
    result = load(Upload.from_path("register", path), store)
    warning = result.report.warnings[0]
    assert (warning.row, warning.column, warning.value) == (2, "TypeOfEstablishment (name)", "Lunar school")
    assert _rows(store, "SELECT kind FROM institutions WHERE urn = 200201") == [("other",)]


def test_register_updates_listed_institutions_and_keeps_the_rest(store, tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("urn,name,kind,status\n100002,Beta Academy,high_school,open\n200001,New High,high_school,open\n")
    load(Upload.from_path("register", path), store)
    names = dict(_rows(store, "SELECT urn, name FROM institutions WHERE urn IS NOT NULL"))
    assert names[100002] == "Beta Academy" and names[200001] == "New High" and names[100001] == "Alpha High School"


def test_roster_replaces_only_the_partnerships_it_names(store, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "partnership_code,partnership_name,member_id,role,joined,left\nP2,South Partnership,100002,full,2009-09-01,\n"
    )
    load(Upload.from_path("roster", path), store)
    members = _rows(store, "SELECT partnership_code, count(*) FROM memberships GROUP BY ALL ORDER BY ALL")
    assert members == [("P1", 3), ("P2", 1)]


def test_member_named_by_ukprn_resolves_to_the_institution(store, tmp_path):
    reg = tmp_path / "reg.csv"
    reg.write_text("urn,ukprn,name,kind,status\n200301,10088888,Coastal College,college,open\n")
    load(Upload.from_path("register", reg), store)
    roster = tmp_path / "roster.csv"
    roster.write_text("partnership_code,partnership_name,member_id,role,joined\nP3,East,10088888,full,2012-09-01\n")
    load(Upload.from_path("roster", roster), store)
    assert _rows(store, "SELECT institution_id FROM memberships WHERE partnership_code = 'P3'") == [(200301,)]


def test_friendly_spellings_are_accepted(store, tmp_path):
    """A UTF-8 BOM, padded cells, capitals, DD/MM/YYYY dates, thousands separators, £ signs
    and blank lines are what spreadsheets produce; they load, with warnings where a guess was made."""
    census = tmp_path / "census.csv"
    census.write_bytes(
        '\ufeffURN , Census_Date,NC_Year,Headcount\n100001, 16/01/2026 ,10,"1,234"\n\n100002,16/01/2026,10,20\n'.encode()
    )
    result = load(Upload.from_path("census", census), store)
    # Two schools on a new census date, against five on the latest: flagged as partial too.
    assert {(w.row, w.check) for w in result.report.warnings} == {(2, "thousands"), (3, "blank_row"), (2, "partial_census")}
    assert _rows(store, "SELECT urn, headcount FROM census_rolls WHERE census_date = '2026-01-16' ORDER BY urn") == [
        (100001, 1234),
        (100002, 20),
    ]
    money = tmp_path / "prev.csv"
    money.write_text('partnership_code,amount\nP1,"£12,345.60"\n')
    load(Upload.from_path("previous_allocation", money), store)
    assert str(_rows(store, "SELECT amount FROM previous_allocations WHERE partnership_code = 'P1'")[0][0]) == "12345.60"
    roles = tmp_path / "roster.csv"
    roles.write_text("partnership_code,partnership_name,member_id,role,joined\nP3,East,100006,Full,01/09/2012\n")
    load(Upload.from_path("roster", roles), store)
    assert _rows(store, "SELECT role, joined_on::VARCHAR FROM memberships WHERE partnership_code = 'P3'") == [
        ("full", "2012-09-01")
    ]


def test_xlsx_with_a_csv_name_is_read_as_xlsx_with_a_warning(store):
    upload = Upload("census", "census.csv", _xlsx(SMALL / "census.csv"))
    result = load(upload, store)
    assert result.report.warnings[0].check == "format"


def test_csv_named_xlsx_is_refused(store):
    with pytest.raises(ValidationFailed, match="named .xlsx but is not one"):
        load(Upload("census", "census.xlsx", (SMALL / "census.csv").read_bytes()), store)


def test_workbook_with_several_sheets_needs_one_named_for_the_kind(store):
    buffer = io.BytesIO()
    import xlsxwriter

    book = xlsxwriter.Workbook(buffer)
    for sheet in ("Notes", "Data"):
        book.add_worksheet(sheet).write_row(0, 0, ["urn", "census_date", "nc_year", "headcount"])
    book.close()
    with pytest.raises(ValidationFailed, match="the workbook has 2: 'Notes', 'Data'"):
        load(Upload("census", "two.xlsx", buffer.getvalue()), store)


def test_workbook_with_merged_cells_is_refused(store):
    buffer = io.BytesIO()
    import xlsxwriter

    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["urn", "census_date", "nc_year", "headcount"])
    sheet.merge_range("A2:A3", 100001)
    sheet.write_row(1, 1, ["2026-01-15", 10, 5])
    book.close()
    with pytest.raises(ValidationFailed, match="no merged cells .unmerge A2:A3"):
        load(Upload("census", "merged.xlsx", buffer.getvalue()), store)


def test_census_for_a_urn_not_in_the_register_is_kept_with_a_warning(store, tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("urn,census_date,nc_year,headcount\n123456,2026-01-15,10,50\n")
    result = load(Upload.from_path("census", path), store)
    assert [(w.row, w.column, w.check) for w in result.report.warnings] == [
        (2, "urn", "unknown_urn"),
        (2, "census_date", "partial_census"),
    ]


def test_rebuilding_replaces_the_store(store):
    build(store, SMALL)
    assert _rows(store, "SELECT count(*) FROM load_log") == [(6,)]
