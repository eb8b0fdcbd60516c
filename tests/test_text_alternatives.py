"""Every chart and map says what it shows (Vega-Lite's description, which the browser gives the
graphic as its accessible name) in the figures of the page, and every map has its points as a
table under it (issue 29, WCAG 2.2 AA), run headless with AppTest on the small store. The figures
a description should say are counted here from the small dataset's own files, or read from the
table beside the chart."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import polars as pl
import pyarrow as pa
from conftest import SMALL
from test_dashboard import AS_OF, fresh_caches, open_page  # noqa: F401 - fixtures
from test_dashboard_records import LINK

from dashboard import compare
from dashboard.formatting import money
from pipelines.outputs import maps, records
from pipelines.rules import plan
from pipelines.rules.allocate import AllocationSettings, allocate

SCHOOLS = ("high_school", "special_school", "pru")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _charts(app) -> list:
    return [node for node in _walk(app._tree) if node.type == "vega_lite_chart"]


def _spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def _maps(app) -> list:
    return [chart for chart in _charts(app) if "projection" in _spec(chart)]


def _map_points(chart) -> pl.DataFrame:
    """The rows the map draws as points (sent beside the spec as Arrow)."""
    spec = _spec(chart)
    name = next(layer["data"]["name"] for layer in spec["layer"] if layer["mark"]["type"] == "point")
    data = next(d for d in chart.proto.datasets if d.name == name).data.data
    return pl.from_arrow(pa.ipc.open_stream(io.BytesIO(data)).read_all())


def _map_tables(app) -> list[pl.DataFrame]:
    return [pl.from_pandas(d.value) for d in app.dataframe if "Drawn as" in d.value.columns]


def _small_map(as_of: dt.date, only: str | None = None) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """What the map of the small dataset should draw, counted from its files: the institutions
    with a place (an 'other' one only when it is a full member), and each one's full
    partnerships on the day."""
    register = pl.read_csv(SMALL / "register.csv", try_parse_dates=True)
    roster = pl.read_csv(SMALL / "roster.csv", schema_overrides={"joined": pl.Date, "left": pl.Date})
    register = register.with_columns(pl.coalesce("urn", "ukprn").alias("id"))
    full = roster.filter(
        (pl.col("role") == "full") & (pl.col("joined") <= as_of) & (pl.col("left").is_null() | (pl.col("left") > as_of))
    )
    partnerships = {
        name: sorted(full.filter(pl.col("member_id") == member)["partnership_code"].to_list())
        for member, name in register.select("id", "name").rows()
    }
    shown = register.filter(pl.col("latitude").is_not_null())
    shown = shown.filter((pl.col("kind") != "other") | pl.col("name").is_in([n for n, p in partnerships.items() if p]))
    if only:
        members = roster.filter(pl.col("partnership_code") == only)["member_id"]
        shown = shown.filter(pl.col("id").is_in(members.implode()))
    return shown, partnerships


def test_the_overview_map_says_what_it_shows_and_its_table_lists_every_point(store, monkeypatch):
    app = open_page(store, monkeypatch, total="10000")
    (chart,) = _maps(app)
    description = _spec(chart)["description"]
    drawn, partnerships = _small_map(dt.date.fromisoformat(AS_OF))
    in_drawn = {code for name in drawn["name"] for code in partnerships[name]}
    members = sum(1 for name in drawn["name"] if partnerships[name])
    open_schools = drawn.filter(pl.col("kind").is_in(SCHOOLS) & (pl.col("status") == "open"))
    in_none = [name for name in open_schools["name"] if not partnerships[name]]
    in_several = [name for name in open_schools["name"] if len(partnerships[name]) > 1]
    head = re.match(r"Map: (\d+) [a-z, ]+ \((.*?)\) in (\d+) districts?; (\d+) of them are in (\d+) partnerships?\.", description)
    assert head, description
    assert int(head[1]) == drawn.height
    for kind, n in drawn.group_by("kind").len().rows():
        label = {"pru": "pupil referral unit", "wbl_provider": "WBL provider"}.get(kind, kind.replace("_", " "))
        assert f"{n} {label}{'s' if n > 1 else ''}" in head[2]
    assert int(head[3]) == drawn["district"].n_unique()
    assert (int(head[4]), int(head[5])) == (members, len(in_drawn))
    assert in_none and f"{len(in_none)} school{' is' if len(in_none) == 1 else 's are'} in no partnership: " in description
    assert all(name in description for name in in_none)
    assert ("in more than one partnership" in description) == bool(in_several)
    assert "not drawn" not in description  # every institution of the small dataset has a place
    # The schools the Overview's figures count as not covered are the ones the description names.
    assert {m.label: m.value for m in app.metric}["Schools not covered"] == str(len(in_none) + len(in_several))
    (table,) = _map_tables(app)
    points = _map_points(chart)
    assert table.height == points.height == drawn.height
    assert sorted(table["Name"]) == sorted(points["name"]) == sorted(drawn["name"])
    assert dict(table.select("Name", "Drawn as").rows()) == dict(points.select("name", "marker").rows())


def test_the_gaps_map_names_the_institutions_the_gaps_listed_draw_large(store, monkeypatch):
    app = open_page(store, monkeypatch, "gaps")
    (chart,) = _maps(app)
    description = _spec(chart)["description"]
    (table,) = _map_tables(app)
    assert table.height == _map_points(chart).height
    gaps = pl.from_pandas(app.dataframe[0].value)
    flagged = set(gaps["Institution"].drop_nulls()) & set(table["Name"])
    assert flagged
    said = re.search(r"(\d+) institutions? with the gaps listed (?:is|are) drawn large: (.*?)\.", description)
    assert said, description
    assert int(said[1]) == len(flagged)
    assert all(name in said[2] for name in flagged)
    app.multiselect(key="gaps_severity").set_value(["error"]).run()  # fewer gaps listed, fewer drawn large
    fewer = set(pl.from_pandas(app.dataframe[0].value)["Institution"].drop_nulls()) & set(table["Name"])
    assert 0 < len(fewer) < len(flagged)
    assert re.search(rf"\b{len(fewer)} institutions? with the gaps listed", _spec(_maps(app)[0])["description"])


def test_a_partnerships_map_is_of_its_members(store, monkeypatch):
    app = open_page(store, monkeypatch, "partnerships", total="10000", p="P1")
    (chart,) = _maps(app)
    description = _spec(chart)["description"]
    drawn, _ = _small_map(dt.date.fromisoformat(AS_OF), only="P1")
    assert description.startswith(f"Map of the members of P1 — North Partnership: {drawn.height} "), description
    (table,) = _map_tables(app)
    assert sorted(table["Name"]) == sorted(_map_points(chart)["name"]) == sorted(drawn["name"])


def test_the_plans_two_maps_each_have_their_description_and_table(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan")
    app.button(key="plan_apply_best").click().run()
    loaded, draft = _maps(app)
    tables = _map_tables(app)
    assert [t.height for t in tables] == [_map_points(loaded).height, _map_points(draft).height]
    assert _spec(loaded)["description"].startswith("Map: ")
    description = _spec(draft)["description"]
    assert description.startswith("Map of the draft plan: ")  # the small dataset has no name of its own
    drawn, _ = _small_map(dt.date.fromisoformat(AS_OF))
    names = dict(drawn.select("id", "name").rows())
    changed = {names[c.member_id] for c in plan.from_link(app.query_params["plan"])[0] if c.member_id in names}
    said = re.search(r"(\d+) institutions? the plan changes (?:is|are) drawn as large crosses: (.*?)\.", description)
    assert changed and said, description
    assert int(said[1]) == len(changed) and all(name in said[2] for name in changed)
    assert set(tables[1].filter(pl.col("Drawn as") == "changed by the plan")["Name"]) == changed
    # Zeta joins a partnership: no open school is left out (closed Epsilon is in none, and need not be).
    assert "Every open school drawn is in exactly one partnership." in description
    assert "1 school is in no partnership: Zeta High School." in _spec(loaded)["description"]
    assert "in no partnership" not in description


def test_the_allocation_chart_says_the_pot_and_the_largest_and_smallest_shares_of_its_table(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    (chart,) = _charts(app)
    description = _spec(chart)["description"]
    table = next(pl.from_pandas(d.value) for d in app.dataframe if "Amount (£)" in d.value.columns)
    funded = table.filter(pl.col("Funded") == "yes").sort("Amount (£)", "Code", descending=[True, False])
    largest, smallest = funded.row(0, named=True), funded.row(-1, named=True)
    assert description.startswith(f"Bar chart of the {money(10000)} pot shared by Year 10 (census 16 January 2025) ")
    assert f"between {funded.height} funded partnerships" in description
    assert f"the largest share {largest['Code']} — {largest['Partnership']} {money(largest['Amount (£)'])}" in description
    assert f"the smallest {smallest['Code']} — {smallest['Partnership']} {money(smallest['Amount (£)'])}" in description
    assert "not funded" not in description  # both funded when pending ones are
    alone = _spec(_charts(open_page(store, monkeypatch, "allocation", total="10000"))[0])["description"]
    assert "between 1 funded partnership: the largest share P1" in alone and "1 partnership is not funded and gets £0." in alone


def test_the_scenario_differences_say_the_largest_increase_and_decrease_of_the_table(store, monkeypatch):
    records.save_scenario(store, "Pending funded", LINK, "Chair")
    records.save_scenario(store, "Accredited only", {k: v for k, v in LINK.items() if k != "pending"}, "Chair")
    app = open_page(store, monkeypatch, "scenarios", compare="1,2")
    (chart,) = _charts(app)
    description = _spec(chart)["description"]
    table = pl.from_pandas(app.dataframe[1].value)
    change = next(c for c in table.columns if c.startswith("change ") and c.endswith(": amount"))
    up = table.sort(change, descending=True).row(0, named=True)
    down = table.sort(change).row(0, named=True)
    assert up[change] > 0 > down[change]  # one partnership loses what the other gains
    assert f"the largest increase {up['Code']} +{money(up[change])}" in description
    assert f"the largest decrease {down['Code']} {money(down[change])}" in description
    assert "1 partnership gains and 1 loses" in description


def test_the_differences_description_reads_exact_pounds_and_names_no_loss_when_none(con):
    as_of = dt.date.fromisoformat(AS_OF)
    base = allocate(con, AllocationSettings(total=Decimal(10000), include_pending=True, as_of=as_of))
    more = allocate(con, AllocationSettings(total=Decimal("10000.01"), unit=Decimal("0.01"), include_pending=True, as_of=as_of))
    table = compare.side_by_side([("A", base), ("B", more)])
    gains = {
        code: b - a
        for (code, a), (_, b) in zip(
            base.select("partnership_code", "amount").rows(), more.select("partnership_code", "amount").rows(), strict=True
        )
    }
    best = max(gains, key=lambda code: (gains[code], code))
    said = compare.differences_description(table)
    assert f"B vs A: {sum(1 for g in gains.values() if g > 0)} partnership" in said
    assert f"the largest increase {best} +{money(gains[best])}" in said
    assert "decrease" not in said and "none loses" in said


def test_every_chart_on_every_page_has_a_description(store, monkeypatch):
    for page, query in (
        ("overview", {}),
        ("allocation", {"total": "10000"}),
        ("gaps", {}),
        ("partnerships", {"p": "P2"}),
        ("plan", {}),
    ):
        app = open_page(store, monkeypatch, None if page == "overview" else page, **query)
        if page == "plan":  # the side-by-side maps are drawn once there is a draft
            app.button(key="plan_apply_best").click().run()
        charts = _charts(app)
        assert charts, page
        for chart in charts:
            description = _spec(chart).get("description", "")
            assert description.startswith(("Map", "Bar chart")) and len(description) > 40, (page, description)


def test_a_long_list_of_names_is_cut_short():
    names = [f"School {i}" for i in range(9)]
    assert maps.names_text(names) == "School 0, School 1, School 2, School 3, School 4 and 4 more"
    assert maps.names_text(names[:3]) == "School 0, School 1 and School 2"
    assert maps.names_text(names[:1]) == "School 0"
