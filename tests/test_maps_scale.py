"""The map at a national scale: more institutions than Altair's default row limit and more
partnerships than can be written on it."""

from __future__ import annotations

import polars as pl

from pipelines.datasets import districts
from pipelines.outputs import maps


def _points(institutions: int, partnerships: int) -> pl.DataFrame:
    codes = [f"P{i % partnerships:04d}" for i in range(institutions)]
    return pl.DataFrame(
        {
            "institution_id": list(range(100000, 100000 + institutions)),
            "name": [f"School {i}" for i in range(institutions)],
            "kind": ["high_school"] * institutions,
            "kind_label": ["high school"] * institutions,
            "district": ["Somewhere"] * institutions,
            "status": ["open"] * institutions,
            "latitude": [50.5 + (i % 97) * 0.05 for i in range(institutions)],
            "longitude": [-4.5 + (i % 89) * 0.07 for i in range(institutions)],
            "partnerships": codes,
            "partnership_count": [1] * institutions,
            "partnership": codes,
            "partnership_label": [f"{c} — Partnership {c}" for c in codes],
            "year10": [120] * institutions,
            "coverage_gap": [i % 50 == 0 for i in range(institutions)],
        }
    )


def test_a_national_map_draws_every_institution_and_writes_no_codes():
    outlines = districts.districts_geojson()
    spec = maps.map_spec(_points(6_000, 900), outlines, height=420)
    dots = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "point")
    dataset = spec["datasets"][dots["data"]["name"]]
    assert len(dataset) == 6_000
    texts = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert texts and all(len(spec["datasets"][layer["data"]["name"]]) == 0 for layer in texts)


def test_a_county_map_still_writes_every_code():
    spec = maps.map_spec(_points(90, 11), districts.districts_geojson(), height=420)
    texts = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert {row["partnership"] for row in spec["datasets"][texts[0]["data"]["name"]]} == {f"P{i:04d}" for i in range(11)}
