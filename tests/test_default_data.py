"""The embedded Norfolk dataset: made from the real files, loadable, and honest about what
is real, proxy, inferred or synthetic."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from conftest import REAL

from pipelines import config, districts
from pipelines.build_default import DEFAULT_FILES, build
from pipelines.load import Upload, load
from pipelines.make_default_data import make, unmatched_2008_members
from pipelines.templates import template_files

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
    stored = {r[0] for r in con.execute("SELECT urn FROM institutions").fetchall()}
    assert urns == stored
    kinds = dict(con.execute("SELECT kind, count(*) FROM institutions GROUP BY kind").fetchall())
    assert kinds == {"high_school": 53, "special_school": 13, "pru": 2, "college": 5, "other": 20}


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
    inferred = con.execute("SELECT count(*) FROM memberships WHERE source LIKE '%inferred%'").fetchone()[0]
    assert inferred == con.execute("SELECT count(*) FROM memberships").fetchone()[0]
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
        "SELECT urn, name, kind, district, round(latitude, 4), round(longitude, 4) FROM institutions ORDER BY urn"
    ).fetchall()
    result = load(Upload.from_path("register", config.DATA_DIR / "samples" / "gias_norfolk_2019.csv"), copy)
    assert result.report.layout == "gias" and result.rows == 93
    after_con = duckdb.connect(str(copy), read_only=True)
    after = after_con.execute(
        "SELECT urn, name, kind, district, round(latitude, 4), round(longitude, 4) FROM institutions ORDER BY urn"
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
