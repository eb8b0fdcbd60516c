"""The England data pack: made from the shared England files and nothing else, every row and
column of them kept with the types its builder documents, outlines ready for the map, and the
authority a person names found, or refused with the names they might have meant."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest
from conftest import REAL
from polars.testing import assert_frame_equal
from shapely.geometry import shape

from pipelines.base import config
from pipelines.base.refusals import Refused
from pipelines.datasets import england
from pipelines.datasets.make_england_pack import make

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the project")
SHARED = REAL / "england"
PACK = config.ENGLAND_DIR
TABLES = ("schools_gias_2025", "census_2023_year_groups", "la_codes", "urn_links_2025")
MAPS = ("lad24_england", "la_england")
# The types make_england_pack documents: codes are text, URNs and counts 32-bit integers, as the store keeps them.
EXPECTED_TYPES = {
    "la_code": pl.String,
    "la_code_2025": pl.String,
    "new_la_code": pl.String,
    "urn": pl.Int32,
    "link_urn": pl.Int32,
    "year_10": pl.Int32,
    "fsm_eligible": pl.Int32,
    "easting": pl.Int32,
    "latitude": pl.Float64,
    "census_date": pl.Date,
    "link_date": pl.Date,
}


@needs_real
def test_the_committed_pack_is_what_the_script_makes_from_the_shared_files(tmp_path):
    make(REAL, tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted([*(f"{t}.parquet" for t in TABLES), *(f"{m}.geojson" for m in MAPS)])
    for name in made:
        assert (tmp_path / name).read_bytes() == (PACK / name).read_bytes(), name
    assert sorted(p.name for p in PACK.iterdir()) == sorted([*made, "README.md"])


@needs_real
@pytest.mark.parametrize("table", TABLES)
def test_the_pack_holds_every_row_and_column_of_the_shared_file(table):
    raw = pl.read_csv(SHARED / f"{table}.csv", infer_schema=False)
    packed = pl.read_parquet(PACK / f"{table}.parquet")
    assert packed.columns == raw.columns and packed.height == raw.height
    for column, kind in EXPECTED_TYPES.items():
        if column in packed.columns:
            assert packed.schema[column] == kind, column
    floats = [c for c, kind in packed.schema.items() if kind == pl.Float64]
    # Every cell as the CSV writes it: text, whole numbers and ISO dates back to the same characters,
    # coordinates to the same number.
    as_text = packed.with_columns(pl.exclude(floats).cast(pl.String))
    expected = raw.with_columns(pl.col(floats).cast(pl.Float64))
    key = packed.columns[:2] if table == "urn_links_2025" else packed.columns[:1]
    assert_frame_equal(as_text.sort(key), expected.sort(key), check_exact=True)


def test_the_authority_codes_are_three_digit_text_and_the_schools_come_by_authority_then_urn():
    schools = pl.read_parquet(PACK / "schools_gias_2025.parquet")
    assert schools["la_code"].str.contains(r"^\d{3}$").all()
    assert schools.select("la_code", "urn").equals(schools.select("la_code", "urn").sort("la_code", "urn"))
    census = pl.read_parquet(PACK / "census_2023_year_groups.parquet", columns=["la_code_2025", "urn"])
    assert census.equals(census.sort("la_code_2025", "urn"))


def test_one_authoritys_schools_lie_in_few_row_groups_whose_statistics_say_so():
    """Sorted by authority and cut into row groups with min/max statistics: a read of one
    authority (Kent, the largest) skips the groups that cannot hold it."""
    with duckdb.connect() as con:
        groups = con.execute(
            "SELECT row_group_id, stats_min_value, stats_max_value FROM parquet_metadata(?) "
            "WHERE path_in_schema = 'la_code' ORDER BY row_group_id",
            [str(PACK / "schools_gias_2025.parquet")],
        ).fetchall()
    assert len(groups) >= 3
    assert all(low is not None and high is not None for _, low, high in groups)
    assert all(groups[i][2] <= groups[i + 1][1] for i in range(len(groups) - 1))  # ranges do not overlap
    assert len([g for g in groups if g[1] <= "886" <= g[2]]) <= 2


@needs_real
@pytest.mark.parametrize("name", MAPS)
def test_the_outlines_are_the_shared_ones_point_for_point_wound_for_the_map_with_their_extents(name):
    shared = json.loads((SHARED / f"{name}.geojson").read_text(encoding="utf-8"))
    packed = json.loads((PACK / f"{name}.geojson").read_text(encoding="utf-8"))
    assert "OGL v3.0" in packed["source"] and "Crown copyright" in packed["source"]
    assert [f["properties"] for f in packed["features"]] == [f["properties"] for f in shared["features"]]
    for before, after in zip(shared["features"], packed["features"], strict=True):
        geometry = before["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        assert after["geometry"] == {"type": "MultiPolygon", "coordinates": polygons}
        outline = shape(after["geometry"])
        assert outline.is_valid and after["bbox"] == list(outline.bounds)
        # Vega-Lite (d3-geo) fills the inside of a clockwise ring; an anticlockwise one would fill the world.
        for polygon in outline.geoms:
            assert not polygon.exterior.is_ccw and all(hole.is_ccw for hole in polygon.interiors)
    lon, lat = zip(*(c for f in packed["features"] for p in f["geometry"]["coordinates"] for c in p[0]), strict=True)
    assert packed["bbox"] == [min(lon), min(lat), max(lon), max(lat)]


@needs_real
def test_the_authorities_are_the_153_of_the_shared_codes():
    listed = england.authorities()
    shared = pl.read_csv(SHARED / "la_codes.csv", infer_schema=False)
    assert len(listed) == 153
    assert [(a.code, a.name, a.new_code) for a in listed] == shared.select("la_code", "la_name", "new_la_code").rows()


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("886", "886"),
        ("kent", "886"),
        ("KENT", "886"),
        (" Kent ", "886"),
        ("E10000016", "886"),
        ("Bath & North East Somerset", "800"),
        ("bath and north east somerset", "800"),
        ("Bath and North-East Somerset", "800"),
        ("bath", "800"),  # the first words of exactly one name
        ("St Helens", "342"),
        ("stoke on trent", "861"),
        ("City of Bristol", "801"),  # "Bristol, City of" in the register
        ("bristol", "801"),
        ("Somerset", "933"),  # a whole name, though North Somerset begins with more
        ("202", "202"),
        ("942", "942"),
    ],
)
def test_an_authority_is_found_by_its_code_or_its_name_whatever_the_case_and_punctuation(given, code):
    assert england.resolve_authority(given).code == code


def test_an_unknown_name_is_refused_with_the_closest_names():
    with pytest.raises(Refused, match=r"no authority in England is called 'Kentt': the closest names: Kent \(886\)"):
        england.resolve_authority("Kentt")
    with pytest.raises(Refused, match=r"'Norfok'.*Norfolk \(926\)"):
        england.resolve_authority("Norfok")
    with pytest.raises(Refused, match=r"no name is close; give the 3-digit code, for example 886 for Kent"):
        england.resolve_authority("Atlantis")


def test_a_name_that_could_be_several_authorities_is_refused_listing_them():
    with pytest.raises(Refused) as refused:
        england.resolve_authority("north")
    norths = [a for a in england.authorities() if a.name.startswith("North ")]
    assert len(norths) == 6
    assert f"'north' could be any of {len(norths)} authorities" in str(refused.value)
    assert all(str(a) in str(refused.value) for a in norths)
    with pytest.raises(Refused, match=r"Kingston upon Thames \(314\), Kingston upon Hull, City of \(810\)"):
        england.resolve_authority("Kingston")


def test_an_unknown_code_is_refused_and_a_former_authoritys_code_names_its_successors():
    with pytest.raises(Refused, match="no authority in England has the code 999"):
        england.resolve_authority("999")
    with pytest.raises(Refused, match=r"909 .* now Cumberland \(942\) and Westmorland and Furness \(943\)"):
        england.resolve_authority("909")
    with pytest.raises(Refused, match="name an authority in England"):
        england.resolve_authority(" - ")


@needs_real
@pytest.mark.parametrize("code", ["886", "942", "202"])
def test_one_authoritys_schools_and_census_are_the_shared_files_rows_for_it(code):
    schools = pl.read_csv(SHARED / "schools_gias_2025.csv", infer_schema=False).filter(pl.col("la_code") == code)
    census = pl.read_csv(SHARED / "census_2023_year_groups.csv", infer_schema=False).filter(pl.col("la_code_2025") == code)
    assert england.schools(code)["urn"].cast(pl.String).to_list() == sorted(schools["urn"])
    assert england.census(code)["urn"].cast(pl.String).to_list() == sorted(census["urn"])
    assert england.census(code)["year_10"].sum() == census["year_10"].cast(pl.Int64).sum()
    assert england.urn_links().height == pl.read_csv(SHARED / "urn_links_2025.csv", infer_schema=False).height
