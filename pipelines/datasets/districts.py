"""District boundaries ready for Vega-Lite, shared by the dashboard's map and the meeting pack.

Kept out of the dashboard so the PDF (which has no Streamlit) draws the same outlines. The
boundaries never change between starts, so their repair and rewinding is done once, when the
default data is made (``python -m pipelines.datasets.make_default_data``), and the result is committed
beside the source: a start reads one JSON file instead of importing shapely and walking every
ring (about half a second)."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.base import config

DISTRICTS_FILE = config.REFERENCE_DIR / "norfolk_districts.geojson"
# The same outlines, repaired and wound for d3-geo, with their extent: made from DISTRICTS_FILE.
MAP_FILE = config.REFERENCE_DIR / "norfolk_districts_map.geojson"


def districts_geojson(path: Path = MAP_FILE) -> dict:
    """District boundaries for the offline map (ONS LAD May 2020, generalised), as
    ``rewound_for_map`` left them."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def rewound_for_map(path: Path = DISTRICTS_FILE, *, feature_extents: bool = False) -> dict:
    """The source boundaries made valid and rewound, with their extent as "bbox".

    GeoJSON winds outer rings anticlockwise; Vega-Lite (d3-geo) reads that as "everything
    but this polygon" and would paint the whole frame, so the rings are rewound clockwise.
    ``feature_extents``: every feature carries its own "bbox" too, so a map of a few of them
    (one authority's) is fitted without walking their coordinates."""
    from shapely import make_valid  # only when the map file is made, never at a start
    from shapely.geometry import MultiPolygon, mapping, shape
    from shapely.geometry.polygon import orient

    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes = []
    for feature in collection["features"]:
        polygons = _polygons(make_valid(shape(feature["geometry"])))
        shapes.extend(polygons)
        if feature_extents and polygons:
            feature["bbox"] = list(MultiPolygon(polygons).bounds)
        feature["geometry"] = mapping(MultiPolygon([orient(p, sign=-1.0) for p in polygons]))
    if shapes:  # the extent, worked out once, so a map need not walk every coordinate for it
        collection["bbox"] = list(MultiPolygon(shapes).bounds)
    # Through JSON once, so tuples become lists as they will be read back.
    return json.loads(json.dumps(collection))


def write_map_file(source: Path = DISTRICTS_FILE, out: Path = MAP_FILE) -> None:
    write_map_json(rewound_for_map(source), out)


def write_map_json(collection: dict, out: Path) -> None:
    """A map file as every one is written: compact JSON, one line, UTF-8."""
    out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")


def _polygons(geometry) -> list:
    """Every polygon inside a (multi)polygon or geometry collection; repair can yield either."""
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []
