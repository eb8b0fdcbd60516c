"""The offline map built with Altair: the reference ``pipelines.outputs.maps.map_spec`` must equal
(tests/test_maps_spec.py). The product writes the spec itself so its pages need not import
Altair; this is the chart as Altair writes it, from the same pieces (markers, colours, codes)."""

from __future__ import annotations

import altair as alt
import polars as pl

from pipelines.outputs import maps


def institutions_map(
    points: pl.DataFrame,
    districts: dict,
    height: int = 560,
    highlight: set[int] | None = None,
    highlight_as: str = "coverage gap",
    on_page: bool = True,
    subject: str | None = None,
) -> alt.LayerChart:
    """``highlight``: institutions drawn large as ``highlight_as`` (a gap's members, or those a
    plan changes). ``on_page``: the legends placed as on a page (markers above the map, the
    partnerships in three columns below it), not left to a legend configuration. ``subject``:
    what the map is of, at the head of its description."""
    located = maps.located(points, highlight or set(), highlight_as)
    outline = (
        alt.Chart(alt.Data(values=districts["features"]))
        .mark_geoshape(aria=False, fill="#F4F4F4", stroke="#777777", strokeWidth=1)
        .encode(tooltip=alt.Tooltip("properties.lad_name:N", title="District"))
    )
    domain, colours = maps._colours(located)
    dots = (
        alt.Chart(located)
        .mark_point(aria=False, clip=True, filled=True, opacity=0.9, strokeWidth=1.5)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            color=alt.Color(
                "partnership_label:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(
                    title="Partnership",
                    columns=3 if on_page else 1,
                    symbolLimit=60,
                    labelLimit=maps.LEGEND_LABEL_WIDTH,
                    labelExpr=maps.WRAP_LABEL,
                    **({"orient": "bottom"} if on_page else {}),
                ),
            ),
            shape=alt.Shape(
                "marker:N",
                scale=alt.Scale(domain=maps.SHAPE_DOMAIN, range=maps.SHAPE_RANGE),
                legend=alt.Legend(title="Marker", orient="top", direction="horizontal")
                if on_page
                else alt.Legend(title="Marker"),
            ),
            size=alt.condition(maps.LARGE, alt.value(220), alt.value(70)),
            stroke=alt.condition(maps.LARGE, alt.value("#000000"), alt.value("#333333")),
            tooltip=[
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("kind_label:N", title="Kind"),
                alt.Tooltip("partnerships:N", title="Partnership(s)"),
                alt.Tooltip("year10:Q", title="Year 10", format=",.0f"),
                alt.Tooltip("district:N", title="District"),
            ],
        )
    )
    view = maps.view_extent(maps.outline_extent(districts["features"]), located)
    centres = maps._centres(located, view, height)
    code_text = alt.Chart(centres).encode(longitude="longitude:Q", latitude="latitude:Q", text="partnership:N")
    halo = code_text.mark_text(
        aria=False, fontSize=11, fontWeight="bold", stroke="#FFFFFF", strokeWidth=4, strokeJoin="round", dy=-12
    )
    codes = code_text.mark_text(aria=False, fontSize=11, fontWeight="bold", color="#000000", dy=-12)
    chart = (
        (outline + dots + halo + codes)
        .project(type="mercator", **({"fit": maps.view_fit(view)} if view else {}))
        .properties(
            width="container",
            height=height,
            description=maps.map_description(points, located, highlight or set(), subject, view),
        )
    )
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding")) if on_page else chart
