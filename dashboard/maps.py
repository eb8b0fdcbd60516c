"""The offline map: district boundaries from the bundled GeoJSON with every institution placed
on them (Altair/Vega-Lite; no tile server, so it works with no network). Partnerships are
coloured; gaps are drawn as a distinct shape with a heavy outline so they stand out without
relying on colour."""

from __future__ import annotations

import altair as alt
import polars as pl

# One colour per partnership: Paul Tol's "muted" scheme (built to stay distinct for colour-blind
# readers) and three Okabe-Ito colours it lacks. Beyond these a colour would repeat, so every
# partnership's code is also written at the centre of its members: the map never relies on
# colour alone.
PARTNERSHIP_COLOURS = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
                       "#AA4499", "#E69F00", "#0072B2", "#D55E00"]

SHAPES = alt.Scale(
    domain=["member", "coverage gap", "college / provider", "other"],
    range=["circle", "triangle-up", "square", "diamond"],
)


def institutions_map(points: pl.DataFrame, districts: dict, height: int = 560, highlight: set[int] | None = None) -> alt.LayerChart:
    highlight = highlight or set()
    located = points.filter(pl.col("latitude").is_not_null()).with_columns(
        pl.when(pl.col("coverage_gap") | pl.col("institution_id").is_in(sorted(highlight)))
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
            color=alt.Color("partnership_label:N", scale=alt.Scale(domain=labels + ["none"], range=palette + ["#FFFFFF"]),
                            legend=alt.Legend(title="Partnership", columns=1, symbolLimit=60, labelLimit=320)),
            shape=alt.Shape("marker:N", scale=SHAPES, legend=alt.Legend(title="Marker")),
            size=alt.condition("datum.marker == 'coverage gap'", alt.value(220), alt.value(70)),
            stroke=alt.condition("datum.marker == 'coverage gap'", alt.value("#000000"), alt.value("#333333")),
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
        .group_by("partnership").agg(pl.col("latitude").mean(), pl.col("longitude").mean())
    )
    code_text = alt.Chart(centres).encode(longitude="longitude:Q", latitude="latitude:Q", text="partnership:N")
    halo = code_text.mark_text(fontSize=11, fontWeight="bold", stroke="#FFFFFF", strokeWidth=4, dy=-12)
    codes = code_text.mark_text(fontSize=11, fontWeight="bold", color="#000000", dy=-12)
    return (outline + dots + halo + codes).project(type="mercator").properties(width="container", height=height)
