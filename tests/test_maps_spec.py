"""The map spec the pages and the meeting pack draw is written without Altair (so a cold start
does not import it): it must be exactly the spec Altair writes for the same chart."""

from __future__ import annotations

import altair as alt
import polars as pl
import pytest

from pipelines.datasets import districts
from pipelines.outputs import maps
from pipelines.store import db
from tests import altair_map


def _by_altair(
    points: pl.DataFrame, outlines: dict, height: int, highlight=None, highlight_as="coverage gap", subject=None, **properties
):
    """The chart through Altair: institutions_map around a stand-in carrying the outlines'
    extent (as the pages drew it before), its outlines put back in place."""
    stand_in = {"type": "Feature", "geometry": None, "bbox": list(maps.collection_extent(outlines) or [])}
    chart = altair_map.institutions_map(
        points,
        {"features": [stand_in]},
        height=height,
        highlight=highlight,
        highlight_as=highlight_as,
        on_page=properties.get("legend") is None,
        subject=subject,
    )
    sizes = {k: v for k, v in properties.items() if k != "legend"}
    if sizes:
        chart = chart.properties(**sizes)
    if properties.get("legend"):
        chart = chart.configure_legend(**properties["legend"])
    with alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict()
    assert spec["layer"][0]["data"] == {"values": [stand_in]}
    spec["layer"][0]["data"]["values"] = outlines["features"]
    if properties.get("legend") is False:
        for channel in ("color", "shape"):
            spec["layer"][1]["encoding"][channel]["legend"] = None
    return spec


def _many(institutions: int, partnerships: int) -> pl.DataFrame:
    codes = [f"P{i % partnerships:04d}" for i in range(institutions)]
    return pl.DataFrame(
        {
            "institution_id": list(range(100000, 100000 + institutions)),
            "name": [f"School {i}" for i in range(institutions)],
            "kind": ["high_school", "college", "other"] * (institutions // 3) + ["special"] * (institutions % 3),
            "kind_label": ["a kind"] * institutions,
            "district": ["Somewhere"] * institutions,
            "status": ["open"] * institutions,
            "latitude": [None if i % 41 == 0 else 50.5 + (i % 97) * 0.05 for i in range(institutions)],
            "longitude": [-4.5 + (i % 89) * 0.07 for i in range(institutions)],
            "partnerships": codes,
            "partnership_count": [1] * institutions,
            "partnership": [c if i % 7 else "none" for i, c in enumerate(codes)],
            "partnership_label": [f"{c} — Partnership {c}" if i % 7 else "none" for i, c in enumerate(codes)],
            "year10": [None if i % 5 == 0 else 120 + i for i in range(institutions)],
            "coverage_gap": [i % 50 == 0 for i in range(institutions)],
        },
        schema_overrides={"year10": pl.Int32},
    )


@pytest.fixture
def points(con) -> pl.DataFrame:
    found = con.sql(db.read_sql("reports/map_institutions.sql"), params={"as_of": None, "census_date": None}).pl()
    assert found.height and found["latitude"].null_count() < found.height
    return found


VARIANTS = [
    {"height": 520, "subject": "a small county"},
    {"height": 480, "highlight": "first three", "highlight_as": "coverage gap"},
    {"height": 420, "highlight": "first three", "highlight_as": "changed by the plan", "legend": False},
    {"height": 340, "highlight": "first three", "width": 520, "legend": {"orient": "bottom", "direction": "vertical"}},
]


@pytest.mark.parametrize("variant", VARIANTS, ids=["overview", "gaps", "plan side by side", "meeting pack"])
def test_the_map_spec_is_what_altair_writes(points, variant):
    outlines = districts.districts_geojson()
    settings = dict(variant)
    if settings.get("highlight") == "first three":
        settings["highlight"] = set(points["institution_id"].head(3).to_list())
    assert maps.map_spec(points, outlines, **settings) == _by_altair(points, outlines, **settings)


@pytest.mark.parametrize(("institutions", "partnerships"), [(300, 12), (6_000, 900)], ids=["county", "national"])
def test_the_map_spec_is_what_altair_writes_with_gaps_in_the_data(institutions, partnerships):
    """Institutions without a place or a Year 10, outside any partnership, more partnerships than
    colours, and (nationally) more than are written on the map."""
    outlines = districts.districts_geojson()
    many = _many(institutions, partnerships)
    assert maps.map_spec(many, outlines, height=420) == _by_altair(many, outlines, height=420)


def test_frames_carry_the_same_rows_under_the_same_names(points):
    outlines = districts.districts_geojson()
    rows = maps.map_spec(points, outlines, height=520)
    frames = maps.map_spec(points, outlines, height=520, frames=True)
    assert {k: v for k, v in frames.items() if k != "datasets"} == {k: v for k, v in rows.items() if k != "datasets"}
    assert frames["datasets"].keys() == rows["datasets"].keys()
    for name, frame in frames["datasets"].items():
        assert isinstance(frame, pl.DataFrame)
        assert frame.rows(named=True) == rows["datasets"][name]


def test_the_view_is_the_outlines_and_the_schools_and_leaves_a_far_other_member_out(points):
    """A school just over the boundary widens the view; an 'other' member across the country does
    not (the authority would shrink to a dot), and the description names it."""
    outlines = districts.districts_geojson()
    west, south, east, north = maps.collection_extent(outlines)  # type: ignore[misc]
    located = points.filter(pl.col("latitude").is_not_null())
    near = located.head(1).with_columns(
        pl.lit(999991, pl.Int64).alias("institution_id"), pl.lit("Just Over The Border School").alias("name"),
        pl.lit("high_school").alias("kind"), pl.lit(east + 0.05).alias("longitude"), pl.lit(north).alias("latitude"),
    )  # fmt: skip
    far = near.with_columns(
        pl.lit(999992, pl.Int64).alias("institution_id"), pl.lit("Faraway Hospital School").alias("name"),
        pl.lit("other").alias("kind"), pl.lit(-1.6).alias("longitude"), pl.lit(54.97).alias("latitude"),
    )  # fmt: skip
    spec = maps.map_spec(pl.concat([points, near, far]), outlines, height=520)
    (fit_west, fit_south), (fit_east, fit_north) = spec["projection"]["fit"]["geometry"]["coordinates"]
    assert fit_east == east + 0.05 and fit_west <= west and fit_south <= south and fit_north >= north
    assert fit_north < 54 and fit_west > -1  # Newcastle is not in the view
    assert (
        "1 institution of another kind stands far beyond the area shown and is not drawn: Faraway Hospital School."
        in (spec["description"])
    )
    assert "Just Over The Border School" not in spec["description"]
