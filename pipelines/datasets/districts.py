"""District boundaries ready for Vega-Lite, shared by the dashboard's map and the meeting pack.

Kept out of the dashboard so the PDF (which has no Streamlit) draws the same outlines. A store
keeps the outlines of the authority it serves (the map_outlines table, written by a build:
``stored_outlines`` reads them, ``write_outlines`` writes them), so the map comes from one place
whichever authority it is. The embedded default's outlines are the files below, repaired and
rewound once, when the default data is made (``python -m pipelines.datasets.make_default_data``),
and committed beside their source: a build copies one JSON file into the store instead of
importing shapely and walking every ring (about half a second). A store no build has written
outlines into (an earlier release's) is drawn on those files, as every earlier release drew it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.base import config
from pipelines.store import db

DISTRICTS_FILE = config.REFERENCE_DIR / "norfolk_districts.geojson"
# The same outlines, repaired and wound for d3-geo, with their extent: made from DISTRICTS_FILE.
MAP_FILE = config.REFERENCE_DIR / "norfolk_districts_map.geojson"


def districts_geojson(path: Path = MAP_FILE) -> dict:
    """The embedded default's district boundaries for the offline map (ONS LAD May 2020,
    generalised), as ``rewound_for_map`` left them."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class StoredOutlines:
    """What a build writes into the store for its map: the authority (3-digit code and name), its
    districts as the map draws them (a FeatureCollection with "bbox") and its own outline."""

    la_code: str
    la_name: str
    districts: dict
    authority: dict | None
    source: str


def write_outlines(con: duckdb.DuckDBPyConnection, outlines: StoredOutlines) -> None:
    """Into the store on ``con``, in the caller's transaction (a build's, with its data)."""
    con.execute(
        db.read_sql("load/map_outlines.sql"),
        {
            "la_code": outlines.la_code,
            "la_name": outlines.la_name,
            "districts": _compact(outlines.districts),
            "authority": _compact(outlines.authority) if outlines.authority else None,
            "source": outlines.source,
        },
    )


def stored_outlines(con: duckdb.DuckDBPyConnection) -> StoredOutlines | None:
    """The outlines the store's build wrote; None for a store no build has written them into."""
    rows = con.execute(db.read_sql("reports/map_outlines.sql")).fetchall()
    if not rows:
        return None
    la_code, la_name, districts, authority, source = rows[0]
    return StoredOutlines(la_code, la_name, json.loads(districts), json.loads(authority) if authority else None, source)


def outlines_for_map(con: duckdb.DuckDBPyConnection) -> dict:
    """The districts the store's map is drawn on: its own, else the embedded default's (a store
    from before the outlines were kept in it, which every earlier release drew on those)."""
    stored = stored_outlines(con)
    return stored.districts if stored else districts_geojson()


def _compact(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"))


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
    out.write_text(_compact(collection) + "\n", encoding="utf-8")


def _polygons(geometry) -> list:
    """Every polygon inside a (multi)polygon or geometry collection; repair can yield either."""
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []
