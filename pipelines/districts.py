"""District boundaries ready for Vega-Lite, shared by the dashboard's map and the meeting pack.

Kept out of the dashboard so the PDF (which has no Streamlit) draws the same outlines."""

from __future__ import annotations

import json
from pathlib import Path

from shapely import make_valid
from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.polygon import orient

from pipelines import config

DISTRICTS_FILE = config.REFERENCE_DIR / "norfolk_districts.geojson"


def districts_geojson(path: Path = DISTRICTS_FILE) -> dict:
    """District boundaries for the offline map (ONS LAD May 2020, generalised).

    GeoJSON winds outer rings anticlockwise; Vega-Lite (d3-geo) reads that as "everything
    but this polygon" and would paint the whole frame, so the rings are rewound clockwise."""
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes = []
    for feature in collection["features"]:
        polygons = _polygons(make_valid(shape(feature["geometry"])))
        shapes.extend(polygons)
        feature["geometry"] = mapping(MultiPolygon([orient(p, sign=-1.0) for p in polygons]))
    if shapes:  # the extent, worked out once, so a map need not walk every coordinate for it
        collection["bbox"] = list(MultiPolygon(shapes).bounds)
    return collection


def _polygons(geometry) -> list:
    """Every polygon inside a (multi)polygon or geometry collection; repair can yield either."""
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []
