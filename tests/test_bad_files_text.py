"""Text a CSV can hide or lose: numbers beyond what the store holds, cells of nothing visible,
bytes no encoding we read has a character for, old-Mac line endings, and a UKPRN the store
already gives another institution. Each bad file is refused naming its file, row and column and
leaves the store as it was; `check` and `load` agree on every one of them."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from conftest import BAD
from examples import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_files import _assert_refused

from pipelines.base import config
from pipelines.ingest.layouts import LAYOUTS
from pipelines.ingest.load import Upload, check_file, load
from pipelines.ingest.problems import ValidationFailed

# file, kind, row, column (None: the problem is about the whole row), words the message must hold
TEXT_CASES = [
    # numbers beyond the store's column types, or beyond any real file
    ("census_headcount_beyond_store.csv", "census", 3, "headcount", "a whole number from 0 to 3000"),
    ("census_headcount_beyond_whole_numbers.csv", "census", 2, "headcount", "a whole number from 0 to 3000"),
    ("census_headcount_implausible.csv", "census", 2, "headcount", "a whole number from 0 to 3000"),
    ("census_wide_year_beyond_store.csv", "census", 2, "year_10", "a whole number from 0 to 3000"),
    ("previous_allocation_beyond_store.csv", "previous_allocation", 2, "amount", "an amount in pounds from 0 to 10000000"),
    ("previous_allocation_implausible.csv", "previous_allocation", 2, "amount", "an amount in pounds from 0 to 10000000"),
    ("register_easting_infinite.csv", "register", 2, "easting", "a number from 0 to 700000 (a British National Grid easting"),
    ("register_latitude_nan.csv", "register", 2, "latitude", "a number from 49.8 to 60.95 (a latitude in Great Britain"),
    # invisible and undefined text
    (
        "register_name_zero_width.csv",
        "register",
        2,
        "name",
        "some text (the cell is blank, or holds only spaces or invisible characters)",
    ),
    (
        "register_name_invisible.csv",
        "register",
        8,
        "name",
        "some text (the cell is blank, or holds only spaces or invisible characters)",
    ),
    ("register_undefined_cp1252_byte.csv", "register", 3, None, "line 3 holds byte 0x81"),
    # carriage returns alone between lines: loaded, so the bad cell is found at its row
    ("census_cr_line_endings_bad_cell.csv", "census", 4, "headcount", "a whole number from 0 to 3000"),
    ("register_cr_multiline_then_bad.csv", "register", 3, "kind", "one of: high_school"),
    # a UKPRN another institution holds in the store
    ("register_ukprn_held_in_store.csv", "register", 2, "ukprn", "Northtown College (UKPRN 10000001, no URN) already has it"),
]

REGISTER_HEADER = "urn,ukprn,name,kind,status,latitude,longitude\n"


@pytest.mark.parametrize(("name", "kind", "row", "column", "words"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_bad_text_is_refused_and_store_unchanged(store, name, kind, row, column, words):
    _assert_refused(store, Upload.from_path(kind, BAD / name), row, column, words)


# Files that must load: each bad file's fault mended, in the same shape.
GOOD_VARIANTS = [
    ("census_cr.csv", "census", b"urn,census_date,nc_year,headcount\r100001,2025-01-16,10,101\r100002,2025-01-16,10,202\r"),
    (
        "census_crlf.csv",
        "census",
        b"urn,census_date,nc_year,headcount\r\n100001,2025-01-16,10,101\r\n100002,2025-01-16,10,202\r\n",
    ),
    ("census_largest.csv", "census", b"urn,census_date,nc_year,headcount\n100001,2025-01-16,10,3000\n"),
    ("previous_allocation_largest.csv", "previous_allocation", b"partnership_code,amount\nP1,10000000.00\n"),
    (
        "register_name_edged.csv",
        "register",
        (REGISTER_HEADER + "200001,,\u200bNew High\u2060,high_school,open,52.7,1.2\n").encode(),
    ),
    ("register_cp1252.csv", "register", REGISTER_HEADER.encode() + b"200001,,Caf\xe9 \x80 High,high_school,open,52.7,1.2\n"),
]


@pytest.mark.parametrize(
    ("name", "kind", "data"),
    [(c[0], c[1], (BAD / c[0]).read_bytes()) for c in TEXT_CASES] + GOOD_VARIANTS,
    ids=[c[0] for c in TEXT_CASES] + [g[0] for g in GOOD_VARIANTS],
)
def test_check_and_load_agree(store, name, kind, data):
    """`check` reports an error exactly when `load` refuses: a file that passes the check
    never fails in the store, and a refused one was reported by the check."""
    upload = Upload(kind, name, data)
    checked = check_file(upload, store)
    try:
        load(upload, store)
    except ValidationFailed:
        loaded = False
    else:
        loaded = True
    assert checked.report.ok == loaded, checked.report.format()
    assert loaded == ((name, kind, data) in GOOD_VARIANTS)


def test_corpus_files_are_all_tested():
    assert {c[0] for c in TEXT_CASES} <= {p.name for p in BAD.iterdir()}


# --- numbers --------------------------------------------------------------------------------


_NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=-10, max_value=5000).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=2).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["2147483647", "2147483648", "-2147483649", "9223372036854775807", "1e400", "nan", "-0"]),
)


@settings(
    max_examples=examples(15),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(nc_year=_NUMBER_TEXT, headcount=_NUMBER_TEXT, amount=_NUMBER_TEXT, easting=_NUMBER_TEXT)
def test_check_and_load_agree_on_any_number(store, nc_year, headcount, amount, easting):
    """Whatever number a cell holds, a file `check` passes loads and one it fails is refused."""
    files = [
        ("census", f"urn,census_date,nc_year,headcount\n100001,2025-01-16,{nc_year},{headcount}\n"),
        ("previous_allocation", f"partnership_code,amount\nP1,{amount}\n"),
        ("register", f"urn,name,kind,status,easting,northing\n200001,New High,high_school,open,{easting},300000\n"),
    ]
    for kind, text in files:
        upload = Upload(kind, f"{kind}.csv", text.encode())
        passed = check_file(upload, store).ok
        try:
            load(upload, store)
        except ValidationFailed as failure:
            assert not passed, failure.report.format()
            assert not [p for p in failure.report.errors if p.check == "store"], failure.report.format()
        else:
            assert passed


def test_every_number_a_layout_accepts_has_a_range_the_store_can_hold():
    """Declared once, in the layouts: every numeric column has both bounds, and whole numbers
    stay within the store's 32-bit INTEGER columns."""
    for layouts in LAYOUTS.values():
        for layout in layouts:
            for field in layout.fields:
                if field.parse in ("int", "decimal", "float"):
                    assert field.minimum is not None and field.maximum is not None, (layout.kind, field.name)
                    assert field.minimum <= field.maximum
                if field.parse == "int":
                    assert -(2**31) <= field.minimum and field.maximum < 2**31, (layout.kind, field.name)
    register = {f.name: f for f in LAYOUTS["register"][0].fields}
    assert (register["easting"].minimum, register["easting"].maximum) == config.GB_EASTING
    assert (register["latitude"].minimum, register["latitude"].maximum) == config.GB_LATITUDE


def test_the_reproduction_passes_neither_check_nor_load(store):
    upload = Upload.from_path("census", BAD / "census_headcount_beyond_store.csv")
    errors = check_file(upload, store).report.errors
    assert [(p.row, p.column, p.value) for p in errors] == [(3, "headcount", "9223372036854775807")]


def test_a_store_refusal_that_escapes_validation_names_the_file_not_a_change(store, monkeypatch):
    """Were a range ever missed, the store's own refusal is a refusal of this file."""
    from pipelines.ingest import validate

    monkeypatch.setattr(validate, "_out_of_range", lambda field, parsed: pl.lit(False))
    upload = Upload.from_path("census", BAD / "census_headcount_beyond_store.csv")
    assert check_file(upload, store).ok
    _assert_refused(store, upload, None, None, "values the store can hold (it refused the file, so nothing was loaded")


def test_the_data_page_says_the_store_refused_the_file(store, monkeypatch):
    from test_dashboard import OFFICER, open_page

    from dashboard.formatting import plain
    from pipelines.ingest import validate

    monkeypatch.setattr(validate, "_out_of_range", lambda field, parsed: pl.lit(False))
    monkeypatch.setattr(config, "UPLOADS_ENABLED", True)
    app = open_page(store, monkeypatch, "data", user={"is_logged_in": True, "email": OFFICER}, auth=True)
    app.selectbox[0].set_value("census").run()
    data = (BAD / "census_headcount_beyond_store.csv").read_bytes()
    app.get("file_uploader")[0].set_value(("huge.csv", data, "text/csv")).run()
    next(b for b in app.button if b.label == "Load it").click().run()
    said = " ".join(e.value for e in app.error)
    assert f"The store refused {plain('huge.csv')}; nothing was loaded" in said
    assert "changed while checking" not in said


# --- invisible and undefined text ---------------------------------------------------------------


def test_every_row_of_invisible_names_is_refused(store):
    with pytest.raises(ValidationFailed) as failure:
        load(Upload.from_path("register", BAD / "register_name_invisible.csv"), store)
    assert {(p.row, p.column, p.check) for p in failure.value.report.errors} == {(r, "name", "blank") for r in range(2, 9)}


def test_invisible_characters_around_ids_names_and_codes_are_trimmed(store, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text(
        "\ufeff\u200burn\u200b,name,kind,status,latitude,longitude\n"
        "\u200b200001\u2060,\u00a0\ufeffNew\u200bHigh\u200d ,high_school,open,52.7,1.2\n",
        encoding="utf-8",
    )
    load(Upload.from_path("register", register), store)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "partnership_code,partnership_name,member_id,role,joined\n"
        "\u200bP3\ufeff,\u2060Third Partnership\u200b,\u200b200001,full,2012-09-01\n",
        encoding="utf-8",
    )
    load(Upload.from_path("roster", roster), store)
    with duckdb.connect(str(store), read_only=True) as con:
        # inside a name an invisible character is the file's own business; only its edges go
        assert con.execute("SELECT name FROM institutions WHERE urn = 200001").fetchall() == [("New\u200bHigh",)]
        assert con.execute("SELECT partnership_code, name FROM partnerships WHERE partnership_code = 'P3'").fetchall() == [
            ("P3", "Third Partnership")
        ]
        assert con.execute("SELECT institution_id FROM memberships WHERE partnership_code = 'P3'").fetchall() == [(200001,)]


def test_a_workbook_cell_of_nothing_visible_is_blank_too(store):
    """Workbook cells are trimmed by the same rule as CSV cells."""
    import io

    frame = pl.DataFrame({"urn": ["200001", "\u200b200002\u2060"], "name": ["\u200b\ufeff", "\u00a0New High\u200d"]})
    frame = frame.with_columns(kind=pl.lit("high_school"), status=pl.lit("open"))
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet="register")
    with pytest.raises(ValidationFailed) as failure:
        load(Upload("register", "register.xlsx", buffer.getvalue()), store)
    assert [(p.row, p.column, p.check) for p in failure.value.report.errors] == [(2, "name", "blank")]


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_a_byte_windows_1252_leaves_undefined_is_refused_naming_line_and_byte(store, tmp_path, byte):
    bad = tmp_path / "register_undefined.csv"
    bad.write_bytes(
        REGISTER_HEADER.encode()
        + b"200001,,Caf\xe9 High,high_school,open,52.7,1.2\r\n"
        + b"200002,,A"
        + bytes([byte])
        + b",high_school,open,52.7,1.2\r\n"
    )
    _assert_refused(store, Upload.from_path("register", bad), 3, None, f"line 3 holds byte 0x{byte:02X}")


def test_windows_1252_text_still_loads_with_a_note(store, tmp_path):
    good = tmp_path / "register_cp1252.csv"
    good.write_bytes(REGISTER_HEADER.encode() + b"200001,,Caf\xe9 \xa3 \x80 High,high_school,open,52.7,1.2\n")
    result = load(Upload.from_path("register", good), store)
    assert [p.check for p in result.report.problems] == ["encoding"] and result.report.problems[0].severity == "info"
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT name FROM institutions WHERE urn = 200001").fetchall() == [("Café £ € High",)]


# --- line endings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_every_line_ending_loads_the_same_cells_with_line_breaks_inside_quotes_kept(store, tmp_path, line_end):
    """The break inside the quoted cell is the file's own (here always a lone CR), and stays."""
    rows = [
        b"urn,name,kind,status,latitude,longitude,source",
        b'200001,"New, High",high_school,open,52.7,1.2,"note line one\rline two"',
        b"",
        b'200002,"Other ""Old"" High",high_school,open,52.6,1.3,',
    ]
    path = tmp_path / "register.csv"
    path.write_bytes(line_end.join(rows) + line_end)
    result = load(Upload.from_path("register", path), store)
    assert result.rows == 2
    assert [(p.row, p.check) for p in result.report.problems] == [(3, "blank_row")]
    with duckdb.connect(str(store), read_only=True) as con:
        got = con.execute("SELECT urn, name, source FROM institutions WHERE urn >= 200001 ORDER BY urn").fetchall()
    assert got == [(200001, "New, High", "note line one\rline two"), (200002, 'Other "Old" High', None)]


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n"], ids=["cr", "crlf"])
def test_row_numbers_count_records_whatever_the_line_ending(store, tmp_path, line_end):
    rows = [
        b"urn,name,kind,status,source",
        b'200001,New High,high_school,open,"two' + line_end + b'lines"',
        b"200002,Other High,school,open,",
        b"200003,Third High,high_school,open,1,2",
    ]
    path = tmp_path / "register.csv"
    path.write_bytes(line_end.join(rows) + line_end)
    with pytest.raises(ValidationFailed) as failure:
        load(Upload.from_path("register", path), store)
    assert [(p.row, p.check) for p in failure.value.report.errors] == [(4, "shape")]
    path.write_bytes(line_end.join(rows[:3]) + line_end)
    with pytest.raises(ValidationFailed) as failure:
        load(Upload.from_path("register", path), store)
    assert [(p.row, p.column) for p in failure.value.report.errors] == [(3, "kind")]


# --- UKPRN held by another institution in the store -------------------------------------------------


def _institutions(store) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT institution_id, urn, ukprn, name FROM institutions ORDER BY 1").fetchall()


def test_a_ukprn_held_by_a_school_kept_in_the_store_is_refused_naming_it(store, tmp_path):
    first = tmp_path / "register_first.csv"
    first.write_text(REGISTER_HEADER + "200001,10000005,Theta Academy,high_school,open,52.7,1.2\n")
    load(Upload.from_path("register", first), store)
    second = tmp_path / "register_second.csv"
    second.write_text(
        REGISTER_HEADER + "200002,,Iota High,high_school,open,52.7,1.2\n200003,10000005,Kappa High,high_school,open,52.7,1.2\n"
    )
    _assert_refused(
        store,
        Upload.from_path("register", second),
        3,
        "ukprn",
        "Theta Academy (URN 200001) already has it in the store; correct the UKPRN on this row, or list URN 200001",
    )


def test_a_file_that_moves_a_ukprn_between_institutions_it_lists_loads(store, tmp_path):
    """A register file replaces the institutions it lists, so it may take a UKPRN from one of
    them and give it to another; rosters naming the UKPRN then find the new holder."""
    first = tmp_path / "register_first.csv"
    first.write_text(REGISTER_HEADER + "200001,10000005,Theta Academy,high_school,open,52.7,1.2\n")
    load(Upload.from_path("register", first), store)
    moved = tmp_path / "register_moved.csv"
    moved.write_text(
        REGISTER_HEADER
        + "200002,10000005,Kappa High,high_school,open,52.7,1.2\n200001,,Theta Academy,high_school,open,52.7,1.2\n"
    )
    load(Upload.from_path("register", moved), store)
    holders = [row for row in _institutions(store) if row[2] == 10000005]
    assert holders == [(200002, 200002, 10000005, "Kappa High")]
    roster = tmp_path / "roster.csv"
    roster.write_text("partnership_code,partnership_name,member_id,role,joined\nP3,Third,10000005,full,2012-09-01\n")
    load(Upload.from_path("roster", roster), store)


def test_reloading_the_register_that_holds_a_ukprn_loads(store):
    """The holder listed again with its own UKPRN is no clash: the small register as built."""
    from conftest import SMALL

    check = check_file(Upload.from_path("register", SMALL / "register.csv"), store)
    assert check.ok, check.report.format()


def test_a_gias_college_whose_ukprn_the_store_knows_without_a_urn_is_refused_naming_the_gias_column(store, tmp_path):
    """GIAS lists colleges with a URN and a UKPRN; a provider list gives them by UKPRN alone."""
    from test_loaders import GIAS_HEADER

    gias = tmp_path / "edubasealldata.csv"
    gias.write_bytes(
        (GIAS_HEADER + "200105,,,,Northtown College,Further education,Open,16 plus,,,,,10000001,Northtown,\n").encode("cp1252")
    )
    _assert_refused(
        store,
        Upload.from_path("register", gias),
        2,
        "UKPRN",
        "Northtown College (UKPRN 10000001, no URN) already has it in the store; correct the UKPRN on this row or, "
        "if it is the same provider, leave the row out",
    )
