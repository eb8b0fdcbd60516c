"""`build --la` for six authorities of every shape (a large county, a London borough, three unitary
authorities, one made in 2023 from part of another): the store holds the authority's schools by
kind and its Year 10 as an independent count from the shared CSV files says, every located school
stands in the authority's outline (or says in the register that it does not), the map's view holds
every school, and the Overview, Allocation and Plan pages open on it.

The expected figures are read from ../shared/data/real/england with the csv module and the kind of
each establishment type written out here from the rule in words (secondary and all-through
schools are high schools, special schools special, PRUs and AP academies PRUs, FE, sixth-form and
16-19 institutions colleges, the rest other), not by the product's code; la_codes.csv is only a
cross-check."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import shutil
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pyproj
import pytest
import shapely
import streamlit as st
from conftest import REAL
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import Point, shape
from test_dashboard import open_page

from pipelines.base.refusals import Refused
from pipelines.cli import main as cli
from pipelines.datasets import build_default, build_la, districts
from pipelines.outputs import maps, meeting_pack
from pipelines.outputs import records as saved
from pipelines.rules.allocate import AllocationSettings
from pipelines.store import db

ENGLAND = REAL / "england"
# (as a person types it, its code, its name): codes, names in any case and punctuation.
AUTHORITIES = [
    ("926", "926", "Norfolk"),
    ("kent", "886", "Kent"),
    ("Camden", "202", "Camden"),
    ("nottingham", "892", "Nottingham"),
    ("Bath & North East Somerset", "800", "Bath and North East Somerset"),
    ("942", "942", "Cumberland"),
]
IDS = [code for _, code, _ in AUTHORITIES]
REGISTER_DAY = dt.date(2025, 5, 24)
CENSUS_DAY = dt.date(2023, 1, 19)

# The rule in words, establishment type by type (GIAS's names as the shared register writes them).
MAINSTREAM = {
    "Community school",
    "Voluntary aided school",
    "Voluntary controlled school",
    "Foundation school",
    "Academy converter",
    "Academy sponsor led",
    "Free schools",
    "University technical college",
    "Studio schools",
    "City technology college",
}
SECONDARY_PHASES = {"Secondary", "Middle deemed secondary", "All-through"}
SPECIAL = {
    "Community special school",
    "Foundation special school",
    "Academy special converter",
    "Academy special sponsor led",
    "Free schools special",
    "Non-maintained special school",
}
PRU = {
    "Pupil referral unit",
    "Academy alternative provision converter",
    "Academy alternative provision sponsor led",
    "Free schools alternative provision",
}
COLLEGE = {
    "Further education",
    "Sixth form centres",
    "Academy 16-19 converter",
    "Academy 16 to 19 sponsor led",
    "Free schools 16 to 19",
}
SCHOOL_KINDS = ("high_school", "special_school", "pru")
ONE_KM = 1000.0
TO_GRID = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform


def _kind(row: dict[str, str]) -> str:
    kind = row["establishment_type"]
    if kind in PRU:
        return "pru"
    if kind in SPECIAL:
        return "special_school"
    if kind in COLLEGE:
        return "college"
    if kind in MAINSTREAM and row["phase"] in SECONDARY_PHASES:
        return "high_school"
    return "other"


def _read(name: str) -> list[dict[str, str]]:
    with open(ENGLAND / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class Expected:
    """The shared files, read once: each authority's schools by kind and Year 10."""

    def __init__(self) -> None:
        self.schools = _read("schools_gias_2025.csv")
        census = {int(r["urn"]): r for r in _read("census_2023_year_groups.csv")}
        open_now = {int(r["urn"]) for r in self.schools}
        before: dict[int, set[int]] = defaultdict(set)
        for r in _read("urn_links_2025.csv"):
            urn, other = int(r["urn"]), int(r["link_urn"])
            if r["link_type"].startswith("Predecessor"):
                before[urn].add(other)
            elif r["link_type"].startswith("Successor"):
                before[other].add(urn)
        # each open school's census URNs: its own, or its nearest predecessors counted and closed
        self.sources: dict[int, set[int]] = {}
        for urn in open_now:
            if urn in census:
                self.sources[urn] = {urn}
                continue
            seen, frontier = {urn}, {urn}
            while frontier:
                frontier = {p for u in frontier for p in before[u]} - seen
                seen |= frontier
                if frontier & census.keys():
                    self.sources[urn] = (frontier & census.keys()) - open_now
                    break
        claimed = Counter(p for urn, found in self.sources.items() if urn not in census for p in found)
        self.split = {p for p, n in claimed.items() if n > 1}
        self.census = census
        self.la_codes = {r["la_code"]: r for r in _read("la_codes.csv")}

    def kinds(self, code: str) -> Counter:
        return Counter(_kind(r) for r in self.schools if r["la_code"] == code)

    def year10(self, code: str, kinds: tuple[str, ...] | None = None) -> int:
        total = 0
        for r in self.schools:
            if r["la_code"] != code or (kinds and _kind(r) not in kinds):
                continue
            found = self.sources.get(int(r["urn"]), set())
            if found & self.split:
                continue
            total += sum(int(self.census[p]["year_10"] or 0) for p in found)
        return total

    def split_double_count(self, code: str) -> int:
        """Year 10 of each census school split between open schools, once per successor here (the
        pack's la_codes.csv gives it to each of them)."""
        return sum(
            int(self.census[p]["year_10"] or 0)
            for r in self.schools
            if r["la_code"] == code and _kind(r) in SCHOOL_KINDS
            for p in self.sources.get(int(r["urn"]), set()) & self.split
        )


@pytest.fixture(scope="module")
def expected() -> Expected:
    return Expected()


@pytest.fixture(scope="module", params=AUTHORITIES, ids=IDS)
def built(request, tmp_path_factory) -> tuple[str, str, Path, str]:
    """(code, name, store, what the command printed): built through the command line, as typed."""
    typed, code, name = request.param
    path = tmp_path_factory.mktemp(f"la{code}") / "store.duckdb"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["build", "--la", typed, "--db", str(path)]) == 0
    return code, name, path, printed.getvalue()


def _rows(store: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_schools_by_kind_and_year10_are_the_shared_files(built, expected):
    code, _, store, printed = built
    stored_kinds = dict(_rows(store, "SELECT kind, count(*) FROM institutions GROUP BY kind"))
    assert stored_kinds == dict(expected.kinds(code))
    assert _rows(store, "SELECT count(*) FROM institutions WHERE la_code <> ? OR status <> 'open'", [code]) == [(0,)]
    (year10,) = _rows(store, "SELECT coalesce(sum(headcount), 0) FROM census_rolls WHERE nc_year = 10")[0]
    assert year10 == expected.year10(code) > 0
    # the cross-check: the pack's own counts of high schools, special schools and PRUs, and their Year 10
    # (which gives a census school split since to each of its successors)
    summary = expected.la_codes[code]
    assert sum(stored_kinds.get(k, 0) for k in SCHOOL_KINDS) == int(summary["n_secondary_special_pru"])
    (schools_year10,) = _rows(
        store,
        "SELECT coalesce(sum(c.headcount), 0) FROM census_rolls c JOIN institutions i ON i.urn = c.urn "
        "WHERE c.nc_year = 10 AND i.kind IN ('high_school', 'special_school', 'pru')",
    )[0]
    assert schools_year10 + expected.split_double_count(code) == int(summary["year10_matched_2025_schools"])
    assert f"Year 10: {year10:,} pupils" in printed


def test_every_year_group_and_fsm_figure_is_the_census_row_of_the_school_or_its_predecessor(built, expected):
    code, _, store, _ = built
    years = {"year_r": 0, **{f"year_{n}": n for n in range(1, 15)}}
    stored = {(u, y): h for u, y, h in _rows(store, "SELECT urn, nc_year, headcount FROM census_rolls")}
    fsm = dict(_rows(store, "SELECT urn, fsm_eligible FROM census_fsm"))
    assert {d for (d,) in _rows(store, "SELECT DISTINCT census_date FROM census_rolls")} == {CENSUS_DAY}
    wanted: dict[tuple[int, int], int] = {}
    wanted_fsm: dict[int, int] = {}
    for r in expected.schools:
        urn = int(r["urn"])
        found = expected.sources.get(urn, set())
        if r["la_code"] != code or not found or found & expected.split:
            continue
        rows = [expected.census[p] for p in found]
        for column, year in years.items():
            if any(row[column] != "" for row in rows):
                wanted[(urn, year)] = sum(int(row[column] or 0) for row in rows)
        if any(row["fsm_eligible"] != "" for row in rows):
            wanted_fsm[urn] = sum(int(row["fsm_eligible"] or 0) for row in rows)
    assert stored == wanted
    assert fsm == wanted_fsm


def test_a_school_whose_urn_changed_says_so_and_is_counted(built, expected):
    code, _, store, printed = built
    notes = dict(_rows(store, "SELECT DISTINCT urn, source FROM census_rolls"))
    linked = {
        int(r["urn"])
        for r in expected.schools
        if r["la_code"] == code
        and int(r["urn"]) not in expected.census
        and expected.sources.get(int(r["urn"]))
        and not expected.sources[int(r["urn"])] & expected.split
    }
    assert {urn for urn, note in notes.items() if "joined to this school through the register's link" in note} == linked
    for urn in linked:
        for predecessor in expected.sources[urn]:
            assert f"URN {predecessor} (" in notes[urn]
    assert all(note.startswith("real: DfE SPC 2022/23") for note in notes.values())
    assert f"{len(linked)} of them joined through the links file" in printed
    if code == "886":  # Oasis Academy Isle of Sheppey split in two in 2024: its pupils go to neither
        assert linked and expected.split
        assert "2 census school(s) split between several open schools since" in printed
        assert not {150934, 150935} & set(notes)


def test_every_located_school_stands_in_the_outline_or_the_register_says_it_does_not(built, expected):
    code, name, store, _ = built
    con = db.connect_read_only(store)
    try:
        outlines = districts.stored_outlines(con)
    finally:
        con.close()
    assert outlines is not None and (outlines.la_code, outlines.la_name) == (code, name)
    assert outlines.authority is not None and outlines.authority["properties"]["la_code"] == code
    area = shapely.transform(shape(outlines.authority["geometry"]), TO_GRID, interleaved=False)
    assert {f["properties"]["lad_code"] for f in outlines.districts["features"]} == set(
        expected.la_codes[code]["lad24_codes"].split(";")
    )
    method = {int(r["urn"]): r["lad24_method"] for r in expected.schools}
    located = _rows(store, "SELECT urn, name, longitude, latitude FROM institutions WHERE latitude IS NOT NULL")
    assert located
    far = []
    for urn, school, lon, lat in located:
        metres = area.distance(Point(TO_GRID(lon, lat)))
        if metres > ONE_KM:
            far.append((urn, school, round(metres)))
    # beyond the outline only where the register places the school in another authority's district
    assert all(method[urn] == "point_in_other_la" for urn, _, _ in far), far
    assert len(far) <= 2


def test_the_map_view_is_the_authority_and_holds_every_school(built):
    code, name, store, _ = built
    con = db.connect_read_only(store)
    try:
        points = con.sql(db.read_sql("reports/map_institutions.sql"), params={"as_of": None, "census_date": None}).pl()
        outlines = districts.outlines_for_map(con)
        stored = districts.stored_outlines(con)
    finally:
        con.close()
    assert stored is not None and outlines == stored.districts
    spec = maps.map_spec(points, outlines, height=520, subject=name)
    (west, south), (east, north) = spec["projection"]["fit"]["geometry"]["coordinates"]
    located = points.filter(points["latitude"].is_not_null())
    schools = located.filter(located["kind"] != "other")
    assert schools.height
    for lon, lat in schools.select("longitude", "latitude").rows():
        assert west <= lon <= east and south <= lat <= north
    # fitted to the authority: its outline, widened only by its own schools and colleges
    a_west, a_south, a_east, a_north = outlines["bbox"]
    assert west <= a_west and south <= a_south and east >= a_east and north >= a_north
    assert west >= min(a_west, *schools["longitude"]) and east <= max(a_east, *schools["longitude"])
    assert south >= min(a_south, *schools["latitude"]) and north <= max(a_north, *schools["latitude"])
    beyond = maps.beyond_view(located, (west, south, east, north))
    assert set(beyond["kind"]) <= {"other"}
    for school in beyond["name"]:
        assert school in spec["description"]
    assert spec["description"].startswith(f"Map of {name}")


def test_the_dataset_row_names_the_authority_the_scheme_and_the_census(built):
    code, name, store, _ = built
    [(dataset, reference, description, source)] = _rows(store, "SELECT name, reference_date, description, source FROM dataset")
    assert dataset == f"{name} 14-19 partnerships, census January 2023"
    assert reference == REGISTER_DAY
    assert "No accreditation or previous allocation is loaded" in description and "UKPRN" in description
    assert source.startswith("real: ")
    partnerships = _rows(store, "SELECT partnership_code, name FROM partnerships ORDER BY 1")
    assert partnerships and all(c.startswith("INF-") and n.endswith("(inferred from district)") for c, n in partnerships)
    assert _rows(store, "SELECT count(*) FROM accreditation_decisions UNION ALL SELECT count(*) FROM previous_allocations") == [
        (0,),
        (0,),
    ]
    status = dict(_rows(store, "SELECT input, status FROM (" + db.read_sql("reports/data_status.sql") + ")"))
    assert status["register"] == "real" and status["Year 10 figures"] == "real" and status["memberships"] == "inferred"


def test_the_overview_allocation_and_plan_pages_open(built, monkeypatch):
    code, name, store, _ = built
    codes = [c for (c,) in _rows(store, "SELECT partnership_code FROM partnerships ORDER BY 1")]
    asof = REGISTER_DAY.isoformat()
    overview = open_page(store, monkeypatch, asof=asof)
    shown = " ".join(c.value.replace("\\", "") for c in [*overview.caption, *overview.info])  # as written, unescaped
    assert f"Data: {name} 14-19 partnerships, census January 2023." in shown
    assert "Load next, on the Data page: accreditation decisions" in shown
    allocation = open_page(store, monkeypatch, "allocation", asof=asof)
    assert allocation.button(key="treat_all_as_accredited")  # none is accredited: the what-if is offered
    st.cache_resource.clear()
    funded = open_page(store, monkeypatch, "allocation", asof=asof, treat=",".join(codes), missing="1", total="500000")
    assert not funded.error, [e.value for e in funded.error]
    assert any("equals" in s.value and f"{len(codes)} funded partnerships" in s.value for s in funded.success)
    st.cache_resource.clear()
    plan = open_page(store, monkeypatch, "plan", asof=asof)
    assert not plan.error, [e.value for e in plan.error]


def test_the_meeting_pack_draws_the_authoritys_outlines(built, monkeypatch):
    code, _, store, _ = built
    if code != "202":
        return  # one authority is enough: the pack takes seconds
    drawn = []
    monkeypatch.setattr(meeting_pack, "map_png", lambda points, outlines, flagged: drawn.append(outlines) or _png())
    codes = tuple(c for (c,) in _rows(store, "SELECT partnership_code FROM partnerships"))
    chosen = AllocationSettings(total=Decimal(500000), treat_as_accredited=codes, accept_missing_census=True)
    con = db.connect_read_only(store)
    try:
        pdf = meeting_pack.meeting_pack_pdf(con, chosen, produced=dt.datetime(2025, 6, 1, 9))
        assert drawn == [districts.stored_outlines(con).districts]  # type: ignore[union-attr]
    finally:
        con.close()
    assert [f["properties"]["lad_name"] for f in drawn[0]["features"]] == ["Camden"]
    reader = PdfReader(io.BytesIO(pdf))
    assert "Camden 14-19 partnerships, census January 2023" in " ".join(reader.pages[0].extract_text().split())
    assert str(reader.metadata.subject).startswith("Camden 14-19 partnerships, census January 2023; data version")


def test_the_files_for_finance_name_the_authority(built, tmp_path, capsys):
    code, name, store, _ = built
    if code != "886":
        return  # one authority is enough
    codes = [c for (c,) in _rows(store, "SELECT partnership_code FROM partnerships ORDER BY 1")]
    out = tmp_path / "kent.csv"
    argv = ["allocate", "--total", "500000", "--treat-as-accredited", *codes, "--accept-missing-census"]
    assert cli.main([*argv, "--out", str(out), "--db", str(store)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(codes) and {r["Dataset"] for r in rows} == {f"{name} 14-19 partnerships, census January 2023"}
    assert sum(Decimal(r["Amount (£)"]) for r in rows) == Decimal(500000)
    capsys.readouterr()


def _png() -> bytes:
    """A blank image, for a pack whose map is not what is tested."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


# --- one authority per store -------------------------------------------------------------------


def test_another_authority_is_refused_onto_a_store_and_replaces_it_only_when_told(store):
    saved.save_scenario(store, "Kept", {"total": "10000"}, "Chair")
    before = store.read_bytes()
    with pytest.raises(Refused, match=r"serves Norfolk \(926\) and holds its records.*--replace"):
        build_la.build(store, "kent")
    assert store.read_bytes() == before
    build_la.build(store, "kent", replace=True)
    assert _rows(store, "SELECT count(*) FROM scenarios") == [(0,)]
    (detail,) = _rows(store, "SELECT detail FROM audit_log WHERE action = 'build' ORDER BY seq DESC LIMIT 1")[0]
    assert "Kent (886)" in detail and "replacing another authority's store" in detail
    # and the embedded default back onto Kent's store, likewise
    with pytest.raises(Refused, match=r"serves Kent \(886\)"):
        build_default.build(store)


def test_the_same_authority_keeps_the_stores_records(store, capsys):
    saved.save_scenario(store, "Kept", {"total": "10000"}, "Chair")
    assert cli.main(["build", "--la", "Norfolk", "--db", str(store)]) == 0
    assert _rows(store, "SELECT name FROM scenarios") == [("Kept",)]
    assert _rows(store, "SELECT name FROM dataset") == [("Norfolk 14-19 partnerships, census January 2023",)]
    assert cli.main(["build", "--la", "kent", "--db", str(store)]) == 2
    assert "a store serves one authority" in capsys.readouterr().err


def test_start_none_leaves_every_school_a_gap(tmp_path):
    path = tmp_path / "camden.duckdb"
    made = build_la.build(path, "202", start="none")
    assert made.partnerships == 0 and [r.report.kind for r in made.results] == ["register", "census", "dataset"]
    assert _rows(path, "SELECT count(*) FROM memberships") == [(0,)]
    con = db.connect_read_only(path)
    try:
        uncovered = con.execute(
            "SELECT count(*) FROM coverage_gaps(p_as_of := DATE '2025-05-24') WHERE code = 'school_uncovered'"
        ).fetchall()
    finally:
        con.close()
    assert uncovered == [(sum(made.kinds.get(k, 0) for k in SCHOOL_KINDS),)]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("york shire", "no authority in England is called 'york shire'"),
        ("north", "could be any of"),
        ("909", "a former authority's"),
    ],
)
def test_a_name_that_is_no_authority_is_refused_and_nothing_is_written(tmp_path, capsys, typed, said):
    path = tmp_path / "store.duckdb"
    assert cli.main(["build", "--la", typed, "--db", str(path)]) == 2
    assert said in capsys.readouterr().err
    assert not path.exists()


def test_start_goes_with_la(tmp_path, capsys):
    assert cli.main(["build", "--start", "none", "--db", str(tmp_path / "s.duckdb")]) == 2
    assert "--start goes with --la" in capsys.readouterr().err


# --- the map's outlines come from the store ----------------------------------------------------


def test_the_default_build_writes_its_reference_outlines_into_the_store(tmp_path):
    path = tmp_path / "default.duckdb"
    build_default.build(path)
    con = db.connect_read_only(path)
    try:
        stored = districts.stored_outlines(con)
    finally:
        con.close()
    assert stored is not None and stored.la_code == build_default.DEFAULT_AUTHORITY
    assert stored.districts == districts.districts_geojson()
    assert json.loads(json.dumps(stored.authority))["properties"]["la_code"] == build_default.DEFAULT_AUTHORITY


def test_an_earlier_store_is_drawn_on_the_default_outlines_and_keeps_its_authority(previous, tmp_path):
    db.bring_sql_up_to_date(previous, seal_legacy=True)
    con = db.connect_read_only(previous)
    try:
        assert districts.stored_outlines(con) is None
        assert districts.outlines_for_map(con) == districts.districts_geojson()
        assert db.store_version(con) == db.current_schema_version() >= 5
    finally:
        con.close()
    assert build_default.store_authority(previous) == ("926", None)
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(previous, copy)
    with pytest.raises(Refused, match=r"serves Norfolk \(926\)"):
        build_la.build(copy, "886")
