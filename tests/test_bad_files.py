"""Every bad file is refused with a message naming the file, row and column, and leaves the
store exactly as it was (every table's rows and the file's bytes)."""

from __future__ import annotations

import io
import shutil

import polars as pl
import pytest
from conftest import BAD
from storecheck import file_digest, table_checksums

from pipelines.ingest.load import Upload, load
from pipelines.ingest.problems import ValidationFailed

# file, kind, row, column (None: the problem is about the whole row), words the message must hold
CASES = [
    ("register_unknown_kind.csv", "register", 3, "kind", "one of: high_school"),
    ("register_bad_status.csv", "register", 2, "status", "one of: open, closed"),
    ("register_missing_name_column.csv", "register", 1, "name", "a column named 'name'"),
    ("register_header_typo.csv", "register", 1, "districtt", "did you mean 'district'"),
    ("register_duplicate_urn.csv", "register", 3, "urn", "already on row 2"),
    ("register_latitude_outside_gb.csv", "register", 2, "latitude", "Great Britain"),
    ("register_swapped_coordinates.csv", "register", 2, "latitude", "Great Britain"),
    ("register_no_id.csv", "register", 3, "urn", "a URN or a UKPRN"),
    ("register_closed_before_opened.csv", "register", 2, "closed", "on or after the opening date"),
    ("register_impossible_date.csv", "register", 2, "opened", "a real date"),
    ("register_half_coordinates.csv", "register", 2, "longitude", "both latitude and longitude"),
    ("register_easting_outside_gb.csv", "register", 2, "easting", "British National Grid easting"),
    ("register_grid_in_the_sea.csv", "register", 2, "easting", "a grid position in Great Britain"),
    ("census_negative_headcount.csv", "census", 2, "headcount", "a whole number from 0"),
    ("census_suppressed_x.csv", "census", 3, "headcount", "suppressed"),
    ("census_wide_supp.csv", "census", 2, "year_10", "suppressed"),
    ("census_blank_headcount.csv", "census", 2, "headcount", "blank"),
    ("census_fractional_headcount.csv", "census", 2, "headcount", "a whole number"),
    ("census_non_numeric.csv", "census", 2, "headcount", "a whole number"),
    ("census_duplicate_key.csv", "census", 4, "urn", "already on row 2"),
    ("census_bad_date.csv", "census", 2, "census_date", "a real date"),
    ("census_future_date.csv", "census", 2, "census_date", "not after today"),
    ("census_year_out_of_range.csv", "census", 2, "nc_year", "from 0 to 14"),
    ("census_ragged_row.csv", "census", 3, None, "4 cells like the header"),
    ("census_wide_year_15.csv", "census", 1, "year_15", "a year column: year_r (Reception) or year_1 to year_14"),
    ("census_wide_year_0.csv", "census", 1, "year_0", "a year column: year_r (Reception) or year_1 to year_14"),
    ("census_wide_year_blank_beside_figures.csv", "census", 3, "year_10", "blank"),
    ("census_fsm_negative.csv", "census", 2, "fsm_eligible", "got '-3'; expected a whole number from 0 to 10000"),
    ("census_fsm_non_numeric.csv", "census", 3, "fsm_eligible", "got 'about 40'; expected a whole number from 0"),
    ("census_long_fsm_column.csv", "census", 1, "fsm_eligible", "FSM figures go in a wide census file"),
    ("roster_unknown_member.csv", "roster", 3, "member_id", "in the register"),
    ("roster_bad_role.csv", "roster", 2, "role", "one of: full, associate"),
    ("roster_left_before_joined.csv", "roster", 2, "left", "on or after the joining date"),
    ("roster_member_twice.csv", "roster", 3, "member_id", "already on row 2"),
    ("roster_inconsistent_name.csv", "roster", 3, "partnership_name", "the same name"),
    ("roster_bad_code.csv", "roster", 2, "partnership_code", "a code of letters"),
    ("accreditation_unknown_partnership.csv", "accreditation", 3, "partnership_code", "load its roster first"),
    ("accreditation_bad_status.csv", "accreditation", 2, "status", "one of: accredited, pending"),
    ("health_check_bad_met.csv", "health_check", 2, "met", "yes or no"),
    ("previous_allocation_three_decimals.csv", "previous_allocation", 2, "amount", "at most two decimal places"),
    ("previous_allocation_negative.csv", "previous_allocation", 2, "amount", "an amount in pounds"),
    # files that are wrong as a whole (made by tests/data/make_bad_binaries.py)
    ("census_several_sheets.xlsx", "census", None, None, "the workbook has 2: 'Notes', 'Data'"),
    ("census_merged_cells.xlsx", "census", None, None, "unmerge A2:A3"),
    ("census_negative.xlsx", "census", 3, "headcount", "a whole number from 0"),
    ("register_unknown_kind.xlsx", "register", 2, "kind", "one of: high_school"),
    ("register_really_csv.xlsx", "register", None, None, "named .xlsx but is not one"),
    ("census_legacy.xls", "census", None, None, "old binary .xls workbook"),
    ("census_zip_bomb.xlsx", "census", None, None, "unpacks to at most 500 MB"),
    ("census_empty.csv", "census", None, None, "the file is empty"),
    ("census_header_only.csv", "census", None, None, "the file has only a header"),
    ("census_binary.csv", "census", None, None, "contains binary data"),
    ("census_duplicate_header.csv", "census", 1, "URN", "each column once"),
    ("census_bom_then_bad_bytes.csv", "census", None, None, "invalid UTF-8"),
    ("census_blank_header_cell.csv", "census", 1, "#2", "a column name in every header cell"),
    ("census_header_below_blank_rows.xlsx", "census", 5, "headcount", "a whole number from 0"),
    ("register_mixed_encoding.csv", "register", 3, None, "one text encoding throughout"),
    ("register_duplicate_ukprn.csv", "register", 3, "ukprn", "each UKPRN once (already on row 2)"),
    ("register_multiline_then_ragged.csv", "register", 3, None, "4 cells like the header"),
    # workbooks that mislead (made by tests/data/make_bad_binaries.py; more in tests/test_xlsx_hardening.py)
    ("census_hidden_sheet.xlsx", "census", 3, "headcount", "got '-7'; expected a whole number from 0"),
    ("census_formula_stale_result.xlsx", "census", 3, "headcount", "got '=100+50'; expected a value, not a formula"),
    ("census_formula_no_result.xlsx", "census", 3, "headcount", "got '=100+50'; expected a value, not a formula"),
    ("census_tall_rows_above_header.xlsx", "census", 5, "headcount", "got '-7'; expected a whole number from 0"),
    ("census_float_noise.xlsx", "census", 2, "headcount", "got '150.0000000001'; expected a whole number"),
    ("census_damaged_part.xlsx", "census", None, None, "a readable XLSX workbook (the part xl/worksheets/sheet1.xml is damaged)"),
    ("census_entity_expansion.xlsx", "census", None, None, "the part xl/worksheets/sheet1.xml declares a DOCTYPE"),
]


def _assert_refused(store, upload: Upload, row: int | None, column: str | None, words: str) -> None:
    before_tables, before_bytes = table_checksums(store), file_digest(store)
    with pytest.raises(ValidationFailed) as failure:
        load(upload, store)
    messages = [str(p) for p in failure.value.report.errors]
    if row is None:
        expected_place = f"{upload.name}: "
    else:
        expected_place = f"{upload.name}, row {row}" + (f", column '{column}'" if column else ":")
    matching = [m for m in messages if expected_place in m and words in m]
    assert matching, f"no error at {expected_place!r} saying {words!r}; got:\n" + "\n".join(messages)
    assert table_checksums(store) == before_tables
    assert file_digest(store) == before_bytes
    assert not list(store.parent.glob("*.tmp")), "a scratch copy was left behind"


@pytest.mark.parametrize(("name", "kind", "row", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_csv_is_refused_and_store_unchanged(store, name, kind, row, column, words):
    _assert_refused(store, Upload.from_path(kind, BAD / name), row, column, words)


XLSX_CASES = [c for c in CASES if c[0].endswith(".csv") and c[3] is not None and c[2] and c[2] > 1]


@pytest.mark.parametrize(("name", "kind", "row", "column", "words"), XLSX_CASES, ids=[c[0] for c in XLSX_CASES])
def test_bad_xlsx_is_refused_and_store_unchanged(store, name, kind, row, column, words):
    """The same bad cells saved as a workbook are found at the same spreadsheet rows."""
    frame = pl.read_csv(BAD / name, infer_schema=False)
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet=kind)
    upload = Upload(kind, name.replace(".csv", ".xlsx"), buffer.getvalue())
    _assert_refused(store, upload, row, column, words)


def test_all_problems_of_a_file_are_reported_at_once(store, tmp_path):
    bad = tmp_path / "many.csv"
    bad.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,-1\n100002,not a date,10,5\n100003,2025-01-16,10,x\n")
    with pytest.raises(ValidationFailed) as failure:
        load(Upload.from_path("census", bad), store)
    places = {(p.row, p.column) for p in failure.value.report.errors}
    assert {(2, "headcount"), (3, "census_date"), (4, "headcount")} <= places


def test_corpus_holds_at_least_forty_distinct_bad_files_all_tested():
    from test_bad_files_text import TEXT_CASES  # the text cases' files share the corpus

    assert len({c[0] for c in CASES}) >= 40
    assert {p.name for p in BAD.iterdir()} == {c[0] for c in CASES + TEXT_CASES}


def test_a_huge_file_is_refused_before_parsing(store, tmp_path, monkeypatch):
    from pipelines.base import config
    from pipelines.base.input_file import InputFileRefused

    monkeypatch.setattr(config, "MAX_FILE_MB", 1)
    huge = tmp_path / "census_huge.csv"
    huge.write_text("urn,census_date,nc_year,headcount\n" + "100001,2025-01-16,10,5\n" * 60_000)
    with pytest.raises(InputFileRefused, match=r"census_huge.csv: expected a file of at most 1 MB \(this one is 1.4 MB\)"):
        Upload.from_path("census", huge)  # refused from its size, before it is read (tests/test_input_files.py)


def test_a_failed_load_into_a_missing_store_creates_nothing(tmp_path):
    target = tmp_path / "new.duckdb"
    shutil.copyfile(BAD / "register_bad_status.csv", tmp_path / "r.csv")
    with pytest.raises(ValidationFailed):
        load(Upload.from_path("register", tmp_path / "r.csv"), target)
    assert not target.exists()


def test_every_check_a_problem_names_is_in_the_summary_list(store):
    from pipelines.ingest.problems import CHECKS, check_summary

    seen = set()
    for name, kind, *_ in CASES:
        try:
            load(Upload.from_path(kind, BAD / name), store)
        except ValidationFailed as failure:
            seen |= {p.check for p in failure.report.problems}
            summary = {label: outcome for label, outcome, _ in check_summary(failure.report)}
            assert "fail" in summary.values()
    assert seen <= set(CHECKS)
