"""The embedded Norfolk dataset: made from the real files, loadable, and honest about what
is real, proxy, inferred or synthetic."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from conftest import REAL

from pipelines.base import config
from pipelines.datasets import districts
from pipelines.datasets.build_default import DEFAULT_FILES, build
from pipelines.datasets.make_default_data import make, unmatched_2008_members
from pipelines.ingest.layouts import LAYOUTS
from pipelines.ingest.load import Upload, load
from pipelines.ingest.templates import template_files

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the project")


@pytest.fixture(scope="module")
def norfolk(tmp_path_factory):
    path = tmp_path_factory.mktemp("norfolk") / "store.duckdb"
    build(path, config.DEFAULT_DATA_DIR)
    con = duckdb.connect(str(path), read_only=True)
    yield path, con
    con.close()


@needs_real
def test_committed_default_files_are_what_the_script_makes_from_the_real_files(tmp_path):
    out = tmp_path / "default"
    make(REAL, out, config.REFERENCE_DIR / "norfolk_districts.geojson")
    for _, name in DEFAULT_FILES:
        assert (out / name).read_bytes() == (config.DEFAULT_DATA_DIR / name).read_bytes(), name
    sample = config.DATA_DIR / "samples" / "gias_norfolk_2019.csv"
    assert (tmp_path / "samples" / "gias_norfolk_2019.csv").read_bytes() == sample.read_bytes()
    # The map's outlines, rewound once here rather than at every start.
    map_file = tmp_path / "reference" / districts.MAP_FILE.name
    assert map_file.read_bytes() == districts.MAP_FILE.read_bytes()


@needs_real
def test_every_state_school_in_the_real_file_is_in_the_register(norfolk):
    _, con = norfolk
    real = pl.read_csv(REAL / "norfolk_establishments_2019.csv", infer_schema=False)
    urns = {int(u) for u in real["urn"]}
    stored = {r[0] for r in con.execute("SELECT urn FROM institutions WHERE urn IS NOT NULL").fetchall()}
    assert urns == stored
    kinds = dict(con.execute("SELECT kind, count(*) FROM institutions GROUP BY kind").fetchall())
    # the performance tables' 5 colleges, East Coast College and two training providers from the UKPRN list
    assert kinds == {"high_school": 53, "special_school": 13, "pru": 2, "college": 6, "wbl_provider": 2, "other": 20}


@needs_real
def test_providers_without_coordinates_carry_their_real_ukprn_and_no_invented_location(norfolk):
    _, con = norfolk
    real = pl.read_csv(REAL / "norfolk_providers_ukprn_postcode.csv", infer_schema=False)
    listed = {int(u): name for u, name in real.select("ukprn", "name").rows()}
    rows = con.execute(
        "SELECT ukprn, name, kind, latitude, district, source FROM institutions WHERE urn IS NULL ORDER BY ukprn"
    ).fetchall()
    assert [(u, k) for u, _, k, *_ in rows] == [(10004116, "college"), (10028607, "wbl_provider"), (10042093, "wbl_provider")]
    for ukprn, name, _, latitude, district, source in rows:
        assert listed[ukprn] == name
        assert latitude is None and district is None and "not on the map" in source
    assert "inferred" in rows[0][5]  # East Coast College standing for Great Yarmouth College is a judgement
    ukprns = dict(con.execute("SELECT urn, ukprn FROM institutions WHERE kind = 'college' AND urn IS NOT NULL").fetchall())
    assert ukprns[130764] == 10004772 and ukprns[138670] == 10037344  # City College Norwich, Easton & Otley


@needs_real
def test_consortium_members_join_their_consortium_and_say_whether_the_match_is_sourced(norfolk):
    _, con = norfolk
    named = pl.read_csv(REAL / "norfolk_diploma_consortia_2008_2009.csv", infer_schema=False)
    listed = named.filter(~pl.col("member_institution_as_named").str.starts_with("(members not listed")).height
    rows = con.execute(
        "SELECT partnership_code, institution_id, split_part(source, ':', 1) FROM memberships WHERE partnership_code LIKE 'DC-%'"
    ).fetchall()
    assert len(rows) == listed - 1  # The Blyth Jex School matches no 2019 name or GIAS link
    assert {status for *_, status in rows} == {"sourced", "inferred"}
    by_code: dict[str, set[int]] = {}
    for code, member, _ in rows:
        by_code.setdefault(code, set()).add(member)
    assert all(130764 in members for members in by_code.values())  # Norwich City College is in all four
    assert {137461, 136481, 138670} <= by_code["DC-ALL-ROUTES"]  # Wymondham High and College, Easton College
    # a consortium school is no longer placed by district
    placed = {
        r[0]
        for r in con.execute(
            "SELECT institution_id FROM memberships WHERE partnership_code LIKE 'INF-%' AND source LIKE '%placed by district%'"
        ).fetchall()
    }
    assert not placed & set().union(*by_code.values())


@needs_real
def test_year_10_figures_are_the_real_ks4_cohort_and_say_they_are_a_proxy(norfolk):
    _, con = norfolk
    real = pl.read_csv(REAL / "norfolk_ks4_2019.csv", infer_schema=False).filter(pl.col("TPUP").str.contains(r"^\d+$"))
    tpup = {int(u): int(t) for u, t in real.select("URN", "TPUP").rows() if u}
    stored = con.execute("SELECT urn, headcount, source FROM census_rolls WHERE nc_year = 10").fetchall()
    assert stored, "no Year 10 figures"
    for urn, headcount, source in stored:
        assert source.startswith("proxy:")
        if urn in tpup:
            assert headcount == tpup[urn]


def test_every_row_says_where_it_came_from(norfolk):
    _, con = norfolk
    for table in ("institutions", "census_rolls", "memberships", "previous_allocations"):
        blank = con.execute(f"SELECT count(*) FROM {table} WHERE source IS NULL OR source = ''").fetchone()[0]
        assert blank == 0, table
    # every membership says whether it is sourced (named in a document, matched to the URN by the
    # documents' own names) or inferred
    labels = dict(con.execute("SELECT split_part(source, ':', 1), count(*) FROM memberships GROUP BY ALL").fetchall())
    inferred = con.execute("SELECT count(*) FROM memberships WHERE source LIKE '%inferred%'").fetchone()[0]
    assert labels.get("sourced", 0) + inferred == con.execute("SELECT count(*) FROM memberships").fetchone()[0]
    assert labels.get("sourced", 0) > 0
    assert con.execute("SELECT bool_and(source LIKE 'synthetic%') FROM previous_allocations").fetchone()[0]
    assert con.execute("SELECT bool_and(notes LIKE 'synthetic%') FROM accreditation_decisions").fetchone()[0]


def test_the_2008_groupings_are_partnerships(norfolk):
    _, con = norfolk
    names = {r[0] for r in con.execute("SELECT name FROM partnerships").fetchall()}
    assert {"West (Locality 1)", "North (Locality 4)", "Yarmouth and Gorleston (Locality 9/10)"} <= names


def test_districts_come_from_the_boundaries(norfolk):
    _, con = norfolk
    district = dict(con.execute("SELECT name, district FROM institutions").fetchall())
    assert district["King's Lynn Academy"] == "King's Lynn and West Norfolk"
    assert district["Caister Academy"] == "Great Yarmouth"
    assert district["Jane Austen College"] == "Norwich"
    assert district["Diss High School"] == "South Norfolk"


@needs_real
def test_unmatched_2008_members_are_the_reorganised_prus_and_one_special_school():
    assert [m for _, m in unmatched_2008_members(REAL)] == [
        "Rosebery PRU",
        "Swaffham CNS",
        "Douglas Bader PRU",
        "Central PRU",
        "Brooklands PRU",
    ]


def test_gias_sample_loads_and_agrees_with_the_register(norfolk, tmp_path):
    path, con = norfolk
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    before = con.execute(
        "SELECT urn, name, kind, district, round(latitude, 4), round(longitude, 4) FROM institutions ORDER BY urn, ukprn"
    ).fetchall()
    result = load(Upload.from_path("register", config.DATA_DIR / "samples" / "gias_norfolk_2019.csv"), copy)
    assert result.report.layout == "gias" and result.rows == 93
    after_con = duckdb.connect(str(copy), read_only=True)
    after = after_con.execute(
        "SELECT urn, name, kind, district, round(latitude, 4), round(longitude, 4) FROM institutions ORDER BY urn, ukprn"
    ).fetchall()
    after_con.close()
    assert after == before


def test_templates_on_disk_match_the_layouts():
    for name, text in template_files().items():
        assert (config.TEMPLATES_DIR / name).read_text(encoding="utf-8") == text
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for text in template_files().values():
        for column in text.strip().split(","):
            assert f"`{column}`" in readme, f"README does not document column {column}"


def test_the_readme_layouts_table_documents_every_column_each_layout_accepts():
    """Templates leave out columns few councils fill (a 14-19 scheme's template has no Reception);
    the README's table is where every accepted column, read or ignored, is written down."""
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Layouts") :]
    table = table[: table.index("\n\n", table.index("| kind |"))]
    for layouts in LAYOUTS.values():
        for layout in layouts:
            for column in [f.name for f in layout.fields] + list(layout.ignored):
                assert f"`{column}`" in table, f"the README's Layouts table does not document {layout.kind} column {column}"
