"""The offline map: district boundaries from the bundled GeoJSON with every institution placed
on them (Vega-Lite; no tile server, so it works with no network). Partnerships are coloured;
gaps are drawn as a distinct shape with a heavy outline so they stand out without relying on
colour.

The dashboard's maps are written as Vega-Lite dicts directly (``map_spec``), so a page that
draws one imports neither Altair nor its schema validation (a third of a second of a cold start,
which the Overview would otherwise pay before its first figure). The same chart built with
Altair lives in the tests (tests/altair_map.py), which check that ``map_spec`` writes exactly
what Altair writes for it."""

from __future__ import annotations

import hashlib
import json
import math

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

SHAPE_DOMAIN = ["member", "coverage gap", "college / provider", "other", "changed by the plan"]
SHAPE_RANGE = ["circle", "triangle-up", "square", "diamond", "cross"]
LARGE = "datum.marker == 'coverage gap' || datum.marker == 'changed by the plan'"
Extent = tuple[float, float, float, float]  # west, south, east, north


# A partnership's legend entry ("LOC5-7 — West Norwich and Dereham (Locality 7/5)") is wrapped at
# spaces into lines of at most 36 characters, so the whole name is read at 1280 px with the
# sidebar open (a line fits LEGEND_LABEL_WIDTH pixels at the legend's 11 px) rather than cut short.
def wrapped_label(chars: int) -> str:
    """A Vega expression for a legend's or an axis's labelExpr: the label broken at spaces into
    lines of at most ``chars`` characters (Vega draws a list of lines as a label of many lines)."""
    return f"split(trim(replace(datum.label, regexp('(.{{1,{chars}}})( |$)', 'g'), '$1\\n')), '\\n')"


WRAP_LABEL = wrapped_label(36)
LEGEND_LABEL_WIDTH = 240
# The Vega-Lite version the installed Altair writes (tests/test_maps_spec.py checks it still is).
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# Altair's default view size, which it writes into every spec's config.
VIEW_CONFIG = {"continuousWidth": 300, "continuousHeight": 300}


def located(points: pl.DataFrame, highlight: set[int], highlight_as: str) -> pl.DataFrame:
    """The institutions with a place, each with the marker it is drawn as: the map's points, and
    the rows of the table beside it."""
    return points.filter(pl.col("latitude").is_not_null()).with_columns(
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


# The map's text alternative (Vega-Lite's "description", which the browser reads out as the
# graphic's name): what it shows in figures, with names listed up to NAMES_LISTED so it stays
# short enough to be heard to the end; the table beside the map lists every point.
NAMES_LISTED = 5
# What a kind of institution is called where several are counted together.
KIND_GROUPS = {
    "high_school": "schools",
    "special_school": "schools",
    "pru": "schools",
    "college": "colleges",
    "wbl_provider": "training providers",
}
SCHOOL_KINDS = ("high_school", "special_school", "pru")  # the kinds a partnership must cover
# What the institutions drawn large are, by what they are drawn as.
HIGHLIGHT_WORDS = {
    "coverage gap": "with the gaps listed are drawn large",
    "changed by the plan": "the plan changes are drawn as large crosses",
}


def names_text(names: list[str], most: int = NAMES_LISTED) -> str:
    """'A, B and C'; past ``most`` names, the first ``most`` and 'and N more'."""
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def counted(number: int, one: str, many: str | None = None) -> str:
    """A count with its noun, for figures said in words: "1 school", "4 schools"."""
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def _kinds_text(drawn: pl.DataFrame) -> str:
    """'69 schools and colleges (53 high schools, 11 special schools and 5 colleges)'."""
    kinds = drawn.group_by("kind", "kind_label").len().sort("len", "kind", descending=[True, False])
    each = [counted(n, label) for _, label, n in kinds.rows()]
    if len(each) == 1:
        return each[0]
    present = {KIND_GROUPS.get(kind, "other institutions") for kind in kinds["kind"]}
    groups = [group for group in [*dict.fromkeys(KIND_GROUPS.values()), "other institutions"] if group in present]
    return f"{drawn.height:,} {names_text(groups)} ({names_text(each, most=len(each))})"


def map_description(
    points: pl.DataFrame, drawn: pl.DataFrame, highlight: set[int], subject: str | None = None, view: Extent | None = None
) -> str:
    """What the map shows, in figures: the institutions drawn and the partnerships they are in,
    the schools a partnership should cover and does not (none, or several), those drawn large,
    and those left off for want of a place or standing beyond the ``view``. ``points``: every
    institution the map was asked to draw; ``drawn``: those with a place (``located``)."""
    parts = []
    if drawn.height:
        codes = {code for listed in drawn["partnerships"] for code in listed.split(", ") if code}
        members = drawn.filter(pl.col("partnerships") != "").height
        districts = drawn["district"].drop_nulls().n_unique()
        where = f" in {counted(districts, 'district')}" if districts else ""
        among = "between them they are" if members == drawn.height else f"{members:,} of them {'is' if members == 1 else 'are'}"
        parts.append(f"{_kinds_text(drawn)}{where}; {among} in {counted(len(codes), 'partnership')}.")
    else:
        parts.append("no institution is drawn.")
    gaps = drawn.filter(pl.col("coverage_gap"))
    for rows, where in (
        (gaps.filter(pl.col("partnership_count") == 0), "in no partnership"),
        (gaps.filter(pl.col("partnership_count") > 1), "in more than one partnership"),
    ):
        if rows.height:
            verb = "is" if rows.height == 1 else "are"
            parts.append(f"{counted(rows.height, 'school')} {verb} {where}: {names_text(rows['name'].to_list())}.")
    if not gaps.height and drawn["kind"].is_in(list(SCHOOL_KINDS)).any():
        parts.append("Every open school drawn is in exactly one partnership.")  # a closed one need not be
    large = drawn.filter(pl.col("institution_id").is_in(sorted(highlight)))
    if large.height:
        marker = large["marker"][0]
        what = HIGHLIGHT_WORDS.get(marker, f"are drawn as '{marker}'")
        parts.append(f"{counted(large.height, 'institution')} {what}: {names_text(large['name'].to_list())}.")
    left_off = points.filter(pl.col("latitude").is_null())
    if left_off.height:
        verb = "has no location and is" if left_off.height == 1 else "have no location and are"
        uncovered = left_off["coverage_gap"].sum()
        among = f" ({uncovered:,} of them {'a school' if uncovered == 1 else 'schools'} in no partnership)" if uncovered else ""
        parts.append(
            f"{counted(left_off.height, 'institution')} {verb} not drawn: {names_text(left_off['name'].to_list())}{among}."
        )
    beyond = beyond_view(drawn, view)
    if beyond.height:
        verb = "stands" if beyond.height == 1 else "stand"
        parts.append(
            f"{counted(beyond.height, 'institution')} of another kind {verb} far beyond the area shown and "
            f"{'is' if beyond.height == 1 else 'are'} not drawn: {names_text(beyond['name'].to_list())}."
        )
    return f"Map of {subject}: " + " ".join(parts) if subject else "Map: " + " ".join(parts)


def _colours(drawn: pl.DataFrame) -> tuple[list[str], list[str]]:
    """The colour scale's domain and range: each partnership's label, then "none" in white."""
    labels = sorted(set(drawn["partnership_label"].to_list()) - {"none"})
    palette = (PARTNERSHIP_COLOURS * (len(labels) // len(PARTNERSHIP_COLOURS) + 1))[: len(labels)]
    return labels + ["none"], palette + ["#FFFFFF"]


def _centres(drawn: pl.DataFrame, view: Extent | None, height: int) -> pl.DataFrame:
    """Where each partnership's code is written: the centre of its members, spread apart."""
    centres = (
        drawn.filter(pl.col("partnership") != "none")
        .group_by("partnership")
        .agg(pl.col("latitude").mean(), pl.col("longitude").mean())
        .sort("partnership")
    )
    if centres.height > MAX_WRITTEN_CODES:  # a national map: codes would cover it, and the hover names each point's
        centres = centres.head(0)
    return _spread_codes(centres, view, height)


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


def map_spec(
    points: pl.DataFrame,
    districts: dict,
    height: int = 560,
    highlight: set[int] | None = None,
    highlight_as: str = "coverage gap",
    *,
    frames: bool = False,
    subject: str | None = None,
    **properties,
) -> dict:
    """The institutions map as a Vega-Lite spec (for st.vega_lite_chart and the meeting pack):
    exactly what Altair writes for institutions_map, without importing Altair or walking the
    outlines' coordinates. ``properties``: top-level sizes (``width``), and ``legend``, either
    the legends' configuration or False for none (maps side by side leave them no room).

    ``frames``: the institutions and the code positions as polars frames rather than lists of
    rows, under the same names (for Streamlit; the pack's renderer needs rows). Streamlit sends
    a frame to the browser as Arrow straight from polars, where rows would first be copied into
    a pandas frame, every row of a national map each time the spec is drawn anew.

    ``subject``: what the map is of, at the head of its description ("Map of SUBJECT: ..."),
    e.g. the dataset's name; the description is the map's name for a screen reader."""
    drawn = located(points, highlight or set(), highlight_as)
    features = districts["features"]
    view = view_extent(collection_extent(districts), drawn)
    centres = _centres(drawn, view, height)
    datasets: dict[str, object] = {}

    def named(frame: pl.DataFrame) -> dict:
        rows = frame.rows(named=True)
        name = _dataset_name(rows)
        datasets[name] = frame if frames else rows
        return {"name": name}

    legend = properties.get("legend")
    colour_domain, colours = _colours(drawn)
    colour_legend, shape_legend = legends(legend)
    coordinates = {
        "latitude": {"field": "latitude", "type": "quantitative"},
        "longitude": {"field": "longitude", "type": "quantitative"},
    }
    code_data = named(centres)
    code_encoding = {**coordinates, "text": {"field": "partnership", "type": "nominal"}}
    code_mark = {"type": "text", "aria": False, "dy": -12, "fontSize": 11, "fontWeight": "bold"}
    spec: dict = {
        "config": {"view": dict(VIEW_CONFIG), **({"legend": dict(legend)} if legend else {})},
        "layer": [
            {
                "data": {"values": features},
                "mark": {"type": "geoshape", "aria": False, "fill": "#F4F4F4", "stroke": "#777777", "strokeWidth": 1},
                "encoding": {"tooltip": {"field": "properties.lad_name", "title": "District", "type": "nominal"}},
            },
            {
                "data": named(drawn),
                "mark": {"type": "point", "aria": False, "clip": True, "filled": True, "opacity": 0.9, "strokeWidth": 1.5},
                "encoding": {
                    "color": {
                        "field": "partnership_label",
                        "legend": None if legend is False else colour_legend,
                        "scale": {"domain": colour_domain, "range": colours},
                        "type": "nominal",
                    },
                    **coordinates,
                    "shape": {
                        "field": "marker",
                        "legend": None if legend is False else shape_legend,
                        "scale": {"domain": list(SHAPE_DOMAIN), "range": list(SHAPE_RANGE)},
                        "type": "nominal",
                    },
                    "size": {"condition": {"test": LARGE, "value": 220}, "value": 70},
                    "stroke": {"condition": {"test": LARGE, "value": "#000000"}, "value": "#333333"},
                    "tooltip": [
                        {"field": "name", "title": "Name", "type": "nominal"},
                        {"field": "kind_label", "title": "Kind", "type": "nominal"},
                        {"field": "partnerships", "title": "Partnership(s)", "type": "nominal"},
                        {"field": "year10", "format": ",.0f", "title": "Year 10", "type": "quantitative"},
                        {"field": "district", "title": "District", "type": "nominal"},
                    ],
                },
            },
            {
                "data": dict(code_data),
                "mark": {**code_mark, "stroke": "#FFFFFF", "strokeJoin": "round", "strokeWidth": 4},
                "encoding": code_encoding,
            },
            {"data": dict(code_data), "mark": {**code_mark, "color": "#000000"}, "encoding": code_encoding},
        ],
        "description": map_description(points, drawn, highlight or set(), subject, view),
        "height": height,
        # on a page the legends add to the map's height, never take from it (Streamlit's default
        # fits everything, legends included, into the height and the map shrinks)
        **({"autosize": {"contains": "padding", "type": "fit-x"}} if legend is None else {}),
        "projection": {"type": "mercator", **({"fit": view_fit(view)} if view else {})},
        "width": "container",
        **{k: v for k, v in properties.items() if k != "legend"},
        "$schema": SCHEMA,
        "datasets": datasets,
    }
    return spec


def legends(legend: dict | bool | None) -> tuple[dict, dict]:
    """The partnerships' legend and the markers'. On a page (no legend configuration given)
    the map takes the page's width, the markers' legend in a row above it and the partnerships'
    in three columns below, so every entry shows (beside the map, a long list was cut off at the
    map's height); a given configuration (the meeting pack's) places both itself."""
    colour = {
        "columns": 1,
        "labelExpr": WRAP_LABEL,
        "labelLimit": LEGEND_LABEL_WIDTH,
        "symbolLimit": 60,
        "title": "Partnership",
    }
    shape: dict = {"title": "Marker"}
    if legend is None:
        colour |= {"columns": 3, "orient": "bottom"}
        shape |= {"direction": "horizontal", "orient": "top"}
    return colour, shape


def _dataset_name(rows: list[dict]) -> str:
    """The name Altair gives inline rows (a hash of them), so a redrawn map with the same rows
    keeps its dataset's name."""
    if rows == [{}]:
        return "empty"
    return "data-" + hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()[:32]


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


def view_extent(outlines: Extent | None, drawn: pl.DataFrame) -> Extent | None:
    """What the map shows, its projection fitted to it: the outlines (the authority's districts)
    and every institution of a kind the rules cover, wherever it stands (a school run from over the
    boundary is shown with them). An institution of another kind beyond them (drawn only as a
    member a roster names: an independent school, say, or a hospital school run from across the
    country) is left outside the view rather than shrinking the authority to a dot, and the
    description names it. With no outlines, every institution."""
    shown = drawn.filter(pl.col("kind") != "other") if outlines else drawn
    corners = [outlines] if outlines else []
    if shown.height:
        corners.append(
            shown.select(
                pl.col("longitude").min().alias("west"),
                pl.col("latitude").min().alias("south"),
                pl.col("longitude").max().alias("east"),
                pl.col("latitude").max().alias("north"),
            ).row(0)
        )
    if not corners:
        return None
    return (min(c[0] for c in corners), min(c[1] for c in corners), max(c[2] for c in corners), max(c[3] for c in corners))


def view_fit(view: Extent) -> dict:
    """The projection's "fit": the view's corners as GeoJSON (points, which no winding can turn
    into the whole globe)."""
    west, south, east, north = view
    corners = {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]}
    return {"type": "Feature", "geometry": corners, "properties": {}}


def beyond_view(drawn: pl.DataFrame, view: Extent | None) -> pl.DataFrame:
    """The institutions the view leaves out (see view_extent)."""
    if view is None:
        return drawn.head(0)
    west, south, east, north = view
    return drawn.filter(~(pl.col("longitude").is_between(west, east) & pl.col("latitude").is_between(south, north)))


def _spread_codes(centres: pl.DataFrame, extent: Extent | None, height: int) -> pl.DataFrame:
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
