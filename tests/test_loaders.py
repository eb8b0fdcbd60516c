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
    assert ours.pop("map_outlines")[0] == 0 and theirs.pop("map_outlines")[0] == 1  # a build writes them, not a file
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


def test_every_year_from_reception_to_year_14_loads_from_the_wide_layout_as_from_the_long(store, tmp_path):
    years = ["year_r", *(f"year_{n}" for n in range(1, 15))]
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "urn,census_date," + ",".join(years) + "\n"
        "100002,2026-01-15," + ",".join(str(10 + n) for n in range(15)) + "\n"
        "100003,2026-01-15," + ",".join(str(40 + n) for n in range(15)) + "\n"
    )
    loaded = load(Upload.from_path("census", wide), store)
    assert (loaded.report.layout, loaded.rows) == ("wide", 30)
    stored = _rows(store, "SELECT urn, nc_year, headcount FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY ALL")
    # Reception is year 0, as in the long layout; each column's figure lands on its own year.
    assert stored == [(urn, n, base + n) for urn, base in ((100002, 10), (100003, 40)) for n in range(15)]
    long = tmp_path / "long.csv"
    long.write_text(
        "urn,census_date,nc_year,headcount\n" + "".join(f"{urn},2026-01-15,{n},{headcount}\n" for urn, n, headcount in stored)
    )
    load(Upload.from_path("census", long), store)
    assert (
        _rows(store, "SELECT urn, nc_year, headcount FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY ALL") == stored
    )


def _fsm(store) -> list[tuple]:
    return _rows(store, "SELECT urn, census_date::VARCHAR, fsm_eligible, source FROM census_fsm ORDER BY ALL")


def test_fsm_figures_load_beside_the_year_groups_and_a_blank_keeps_the_stored_figure(store, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "urn,census_date,year_10,fsm_eligible,source\n"
        "100002,2026-01-15,201,37,spring return\n100003,2026-01-15,22,0,spring return\n100004,2026-01-15,15,,spring return\n"
    )
    loaded = load(Upload.from_path("census", wide), store)
    assert loaded.rows == 5  # three Year 10 rows and two FSM figures: a blank is no figure
    assert _fsm(store) == [(100002, "2026-01-15", 37, "spring return"), (100003, "2026-01-15", 0, "spring return")]
    # A file of FSM figures alone (for a census whose years come in the long layout) updates the
    # figures it gives and keeps the rest, as a census file does its headcounts.
    fsm = tmp_path / "fsm.csv"
    fsm.write_text("urn,census_date,fsm_eligible\n100002,2026-01-15,39\n100003,2026-01-15,\n100004,2025-01-16,3\n")
    loaded = load(Upload.from_path("census", fsm), store)
    assert (loaded.report.layout, loaded.rows) == ("fsm", 2)
    assert _fsm(store) == [
        (100002, "2026-01-15", 39, None),
        (100003, "2026-01-15", 0, "spring return"),
        (100004, "2025-01-16", 3, None),
    ]
    assert _rows(store, "SELECT count(*) FROM census_rolls WHERE census_date = '2026-01-15'") == [(3,)]


def test_a_refused_census_writes_no_fsm_figure_either(store, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("urn,census_date,year_10,fsm_eligible\n100002,2026-01-15,201,37\n100003,2026-01-15,x,4\n")
    with pytest.raises(ValidationFailed):
        load(Upload.from_path("census", wide), store)
    assert _fsm(store) == [] and _rows(store, "SELECT count(*) FROM census_rolls WHERE census_date = '2026-01-15'") == [(0,)]


def test_a_wide_row_without_year_figures_loads_its_fsm_figure_and_no_years_with_a_warning(store, tmp_path):
    """The DfE's census gives a hospital school's FSM figure but no year groups, and an
    independent school's neither: such rows load what they have. A row with some years needs
    them all, as before."""
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "urn,census_date,year_9,year_10,fsm_eligible\n100002,2026-01-15,190,201,37\n100003,2026-01-15,,,7\n100004,2026-01-15,,,\n"
    )
    loaded = load(Upload.from_path("census", wide), store)
    warned = [(w.row, w.check) for w in loaded.report.warnings if w.check != "partial_census"]  # a new census date
    assert warned == [(3, "no_figures"), (4, "no_figures")]
    assert "URN 100003 has none on this row" in str(loaded.report.warnings[0])
    assert _rows(store, "SELECT urn, nc_year FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY ALL") == [
        (100002, 9),
        (100002, 10),
    ]
    assert [row[:3] for row in _fsm(store)] == [(100002, "2026-01-15", 37), (100003, "2026-01-15", 7)]


def test_a_wide_file_of_years_7_to_13_loads_as_it_always_has(store, tmp_path):
    """Written out by hand from the rule as it stood before Reception to Year 14 were accepted:
    one row per school, date and year given, the source on each."""
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "urn,census_date,year_7,year_8,year_9,year_10,year_11,year_12,year_13,source\n"
        "100002,2026-01-15,180,185,190,201,0,0,0,return\n"
    )
    loaded = load(Upload.from_path("census", wide), store)
    assert loaded.rows == 7 and [p.check for p in loaded.report.problems] == ["partial_census"]  # a new census date
    assert _rows(store, "SELECT * FROM census_rolls WHERE census_date = '2026-01-15' ORDER BY nc_year") == [
        (100002, __import__("datetime").date(2026, 1, 15), year, headcount, "return")
        for year, headcount in zip(range(7, 14), (180, 185, 190, 201, 0, 0, 0), strict=True)
    ]
    assert _fsm(store) == []


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
