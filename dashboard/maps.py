"""The offline map: district boundaries from the bundled GeoJSON with every institution placed
on them (Altair/Vega-Lite; no tile server, so it works with no network). Partnerships are
coloured; gaps are drawn as a distinct shape with a heavy outline so they stand out without
relying on colour."""

from __future__ import annotations

import math

import altair as alt
import polars as pl

# One colour per partnership: Paul Tol's "muted" scheme (built to stay distinct for colour-blind
# readers) and three Okabe-Ito colours it lacks. Beyond these a colour would repeat, so every
# partnership's code is also written at the centre of its members: the map never relies on
# colour alone.
PARTNERSHIP_COLOURS = [
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#E69F00",
    "#0072B2",
    "#D55E00",
]

SHAPES = alt.Scale(
    domain=["member", "coverage gap", "college / provider", "other", "changed by the plan"],
    range=["circle", "triangle-up", "square", "diamond", "cross"],
)
LARGE = "datum.marker == 'coverage gap' || datum.marker == 'changed by the plan'"


def institutions_map(
    points: pl.DataFrame,
    districts: dict,
    height: int = 560,
    highlight: set[int] | None = None,
    highlight_as: str = "coverage gap",
) -> alt.LayerChart:
    """``highlight``: institutions drawn large as ``highlight_as`` (a gap's members, or those a
    plan changes)."""
    highlight = highlight or set()
    located = points.filter(pl.col("latitude").is_not_null()).with_columns(
        pl.when(pl.col("institution_id").is_in(sorted(highlight)))
        .then(pl.lit(highlight_as))
        .when(pl.col("coverage_gap"))
        .then(pl.lit("coverage gap"))
        .when(pl.col("kind").is_in(["college", "wbl_provider"]))
        .then(pl.lit("college / provider"))
        .when(pl.col("kind") == "other")
        .then(pl.lit("other"))
        .otherwise(pl.lit("member"))
        .alias("marker"),
        pl.col("year10").cast(pl.Float64),
    )
    outline = (
        alt.Chart(alt.Data(values=districts["features"]))
        .mark_geoshape(fill="#F4F4F4", stroke="#777777", strokeWidth=1)
        .encode(tooltip=alt.Tooltip("properties.lad_name:N", title="District"))
    )
    labels = sorted(set(located["partnership_label"].to_list()) - {"none"})
    palette = (PARTNERSHIP_COLOURS * (len(labels) // len(PARTNERSHIP_COLOURS) + 1))[: len(labels)]
    dots = (
        alt.Chart(located)
        .mark_point(filled=True, opacity=0.9, strokeWidth=1.5)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            color=alt.Color(
                "partnership_label:N",
                scale=alt.Scale(domain=labels + ["none"], range=palette + ["#FFFFFF"]),
                legend=alt.Legend(title="Partnership", columns=1, symbolLimit=60, labelLimit=320),
            ),
            shape=alt.Shape("marker:N", scale=SHAPES, legend=alt.Legend(title="Marker")),
            size=alt.condition(LARGE, alt.value(220), alt.value(70)),
            stroke=alt.condition(LARGE, alt.value("#000000"), alt.value("#333333")),
            tooltip=[
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("kind_label:N", title="Kind"),
                alt.Tooltip("partnerships:N", title="Partnership(s)"),
                alt.Tooltip("year10:Q", title="Year 10", format=",.0f"),
                alt.Tooltip("district:N", title="District"),
            ],
        )
    )
    centres = (
        located.filter(pl.col("partnership") != "none")
        .group_by("partnership")
        .agg(pl.col("latitude").mean(), pl.col("longitude").mean())
        .sort("partnership")
    )
    if centres.height > MAX_WRITTEN_CODES:  # a national map: codes would cover it, and the hover names each point's
        centres = centres.head(0)
    centres = _spread_codes(centres, _extent(districts["features"], located), height)
    code_text = alt.Chart(centres).encode(longitude="longitude:Q", latitude="latitude:Q", text="partnership:N")
    halo = code_text.mark_text(fontSize=11, fontWeight="bold", stroke="#FFFFFF", strokeWidth=4, strokeJoin="round", dy=-12)
    codes = code_text.mark_text(fontSize=11, fontWeight="bold", color="#000000", dy=-12)
    return (outline + dots + halo + codes).project(type="mercator").properties(width="container", height=height)


# Partnership codes are written at the centre of their members, and centres can fall close
# together (around Norwich three partnerships meet), so codes that would overlap are moved
# apart vertically before they are drawn. The overlap is judged at the narrowest width the map
# is drawn (the meeting pack's 520 pixels); on a wider map the centres are further apart, so
# labels that were clear stay clear.
NARROWEST_WIDTH = 520
# Beyond this many partnerships their codes are not written on the map (at a national scale they
# would cover it, and spacing them grows with the square of their number); hover names them.
MAX_WRITTEN_CODES = 60
CODE_CHAR_WIDTH = 7.5  # 11 px bold capitals, with a little to spare
CODE_LINE_HEIGHT = 14  # the 11 px line and its white halo


def spread_labels(
    anchors: list[tuple[str, float, float]],
    *,
    char_width: float = CODE_CHAR_WIDTH,
    line_height: float = CODE_LINE_HEIGHT,
    rounds: int = 200,
) -> dict[str, tuple[float, float]]:
    """Label positions in pixels (y grows downwards) moved apart vertically until no two
    labels' boxes overlap (or `rounds` passes are spent). Each label is centred on its anchor
    and len(text) * char_width wide; two that overlap each move half the overlap away from the
    other, the one that starts higher up (or first in text order when level) upwards, so the
    labels keep their order from top to bottom. Same input, same output, whatever its order."""
    texts = [text for text, x, y in sorted(anchors, key=lambda a: (a[2], a[0], a[1]))]  # top to bottom
    placed = {text: [x, y] for text, x, y in anchors}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                (ax, ay), (bx, by) = placed[a], placed[b]
                if abs(ax - bx) >= (len(a) + len(b)) * char_width / 2 or abs(ay - by) >= line_height:
                    continue
                push = (line_height - (by - ay)) / 2 + 0.25  # a started above b: a goes up, b down
                placed[a][1] -= push
                placed[b][1] += push
                moved = True
        if not moved:
            break
    return {text: (x, y) for text, (x, y) in placed.items()}


def _mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def _latitude(mercator_y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(mercator_y)) - math.pi / 2)


def _coordinates(node):
    if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
        yield node
    elif isinstance(node, (list, tuple)):
        for part in node:
            yield from _coordinates(part)


# Altair walks every coordinate of inline data when it writes a spec (over a second for the
# district outlines, on every rerun), so the chart is written around a stand-in feature that
# carries only the outlines' bounding box, and the outlines are put in its place afterwards.
_STAND_IN = {"type": "Feature", "properties": {"lad_name": "outline-stand-in"}, "geometry": None}


def map_spec(
    points: pl.DataFrame,
    districts: dict,
    height: int = 560,
    highlight: set[int] | None = None,
    highlight_as: str = "coverage gap",
    **properties,
) -> dict:
    """The institutions map as a Vega-Lite spec (for st.vega_lite_chart and the meeting pack):
    the same chart as institutions_map, written in milliseconds rather than seconds."""
    stand_in = {**_STAND_IN, "bbox": list(collection_extent(districts) or [])}
    chart = institutions_map(points, {"features": [stand_in]}, height=height, highlight=highlight, highlight_as=highlight_as)
    sizes = {k: v for k, v in properties.items() if k != "legend"}
    if sizes:
        chart = chart.properties(**sizes)
    if properties.get("legend"):
        chart = chart.configure_legend(**properties["legend"])
    # Every institution is drawn: a national map has more than Altair's default 5,000 rows.
    with alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict()
    # The outline layer's inline values are the stand-in: put the outlines there (a walk of the
    # whole spec, through every institution's row, only if Altair ever writes it elsewhere).
    outline_layers = [layer["data"] for layer in spec.get("layer", []) if layer.get("data", {}).get("values") == [stand_in]]
    for data in outline_layers:
        data["values"] = districts["features"]
    if not outline_layers:
        spec = _swap(spec, [stand_in], districts["features"])
    if properties.get("legend") is False:  # maps side by side: the legends would leave no room to draw
        for layer in spec.get("layer", []):
            for channel in ("color", "shape"):
                if channel in layer.get("encoding", {}):
                    layer["encoding"][channel]["legend"] = None
    return spec


def _swap(node, old, new):
    if node == old:
        return new
    if isinstance(node, dict):
        return {k: _swap(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap(v, old, new) for v in node]
    return node


def collection_extent(districts: dict) -> tuple[float, float, float, float] | None:
    """The outlines' extent: the collection's own "bbox" when it has one (districts_geojson
    works it out once), else from every coordinate."""
    if districts.get("bbox"):
        west, south, east, north = districts["bbox"][:4]
        return west, south, east, north
    return outline_extent(districts["features"])


def outline_extent(features: list[dict]) -> tuple[float, float, float, float] | None:
    """West, south, east and north of the outlines: a feature's GeoJSON "bbox" when it carries
    one (the meeting pack's stand-in for the outlines does), else its coordinates."""
    longitudes, latitudes = [], []
    for feature in features:
        if feature.get("bbox"):
            west, south, east, north = feature["bbox"][:4]
            longitudes += [west, east]
            latitudes += [south, north]
        elif feature.get("geometry"):
            for point in _coordinates(feature["geometry"].get("coordinates", [])):
                longitudes.append(point[0])
                latitudes.append(point[1])
    if not longitudes:
        return None
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def _extent(features: list[dict], located: pl.DataFrame) -> tuple[float, float, float, float] | None:
    """Everything the projection is fitted to: the outlines and the institutions."""
    corners = [c for c in [outline_extent(features)] if c is not None]
    corners += [(lon, lat, lon, lat) for lon, lat in located.select("longitude", "latitude").rows()]
    if not corners:
        return None
    return (min(c[0] for c in corners), min(c[1] for c in corners), max(c[2] for c in corners), max(c[3] for c in corners))


def _spread_codes(centres: pl.DataFrame, extent: tuple[float, float, float, float] | None, height: int) -> pl.DataFrame:
    """The centres with the latitude of crowded codes moved, by the pixels spread_labels asks
    for at the scale the map is drawn at its narrowest (Mercator fitted to the extent)."""
    if centres.height < 2 or extent is None:
        return centres
    west, south, east, north = extent
    span_x = math.radians(east - west)
    span_y = _mercator_y(north) - _mercator_y(south)
    if span_x <= 0 or span_y <= 0:
        return centres
    scale = min(NARROWEST_WIDTH / span_x, height / span_y)  # pixels per projected unit
    anchors = [
        (code, math.radians(lon) * scale, -_mercator_y(lat) * scale)
        for code, lat, lon in centres.select("partnership", "latitude", "longitude").rows()
    ]
    placed = spread_labels(anchors)
    return centres.with_columns(
        pl.Series("latitude", [_latitude(-placed[code][1] / scale) for code in centres["partnership"]], dtype=pl.Float64)
    )
