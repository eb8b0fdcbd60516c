"""The travel-to-learn check and the membership suggestions on their spatial grid find exactly
what the joins they replaced found (benchmarks/baselines/*_before_grid.sql), row for row and to
the last bit of every distance, on the generated England and on the real Norfolk default data;
the 4x and 16x England comparisons are in benchmarks/bench_gaps_scale.py."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import polars as pl
import pytest

from benchmarks.generate import england
from pipelines.base import config
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, load_all

BASELINES = config.PROJECT_ROOT / "benchmarks" / "baselines"
BEFORE_GRID = BASELINES / "travel_distances_before_grid.sql"
SUGGESTIONS_BEFORE_GRID = BASELINES / "membership_suggestions_before_grid.sql"
COMPARISON = """
WITH grid AS MATERIALIZED (SELECT * FROM travel_distances($as_of)),
band AS MATERIALIZED (SELECT * FROM travel_distances_before_grid($as_of))
SELECT
    (SELECT count(*) FROM (SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM grid
                           EXCEPT ALL SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM band)),
    (SELECT count(*) FROM (SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM band
                           EXCEPT ALL SELECT * EXCLUDE (nearest_other_code, nearest_other_name) FROM grid)),
    (SELECT count(*) FROM grid JOIN band USING (partnership_code, institution_id)
     WHERE (grid.nearest_other_code, grid.nearest_other_name) IS DISTINCT FROM (band.nearest_other_code, band.nearest_other_name)
       AND NOT (grid.nearest_other_code < band.nearest_other_code
                AND grid.km_to_nearest_other = band.km_to_nearest_other)),
    (SELECT count(*) FROM grid)
"""
SUGGESTIONS_DIFFERENCE = """
SELECT count(*) FROM (
    SELECT * FROM {first}(p_census_date := $census) EXCEPT ALL SELECT * FROM {second}(p_census_date := $census)
)
"""


@pytest.fixture(scope="module")
def england_store(tmp_path_factory) -> Path:
    return _load(tmp_path_factory.mktemp("england"), england())


@pytest.fixture(scope="module")
def sparse_store(tmp_path_factory) -> Path:
    """England's schools in 120 partnerships: centres ten times sparser, so the nearest few are
    often beyond the cells first searched and the wider searches are exercised."""
    return _load(tmp_path_factory.mktemp("sparse"), england(seed=7, partnerships=120))


@pytest.fixture(scope="module")
def norfolk_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("norfolk") / "norfolk.duckdb"
    build(store, config.DEFAULT_DATA_DIR)
    return store


def _load(folder: Path, frames: dict[str, pl.DataFrame]) -> Path:
    uploads = []
    for kind, frame in frames.items():
        path = folder / f"{kind}.csv"
        frame.write_csv(path)
        uploads.append(Upload.from_path(kind, path))
    store = folder / "store.duckdb"
    load_all(uploads, store, fresh=True)
    return store


def _compare(store: Path) -> tuple[int, int, int, int]:
    """Rows only the grid gives and rows only the band join gave, on every column but the
    nearest other centre's code and name (exactly: EXCEPT ALL); rows whose nearest other centre
    differs where the grid's code is not the lower of two exactly-as-near centres (the band join
    takes whichever it meets first: it can change with the number of threads); and rows in all."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        con.execute(BEFORE_GRID.read_text(encoding="utf-8"))
        as_of = {"as_of": con.execute("SELECT effective_as_of(NULL)").fetchall()[0][0]}
        found = con.execute(COMPARISON, as_of).fetchall()[0]
    finally:
        con.close()
    return found[0], found[1], found[2], found[3]


def test_grid_matches_band_join_on_generated_england(england_store):
    store = england_store
    only_grid, only_band, not_ties, rows = _compare(store)
    assert (only_grid, only_band, not_ties) == (0, 0, 0)
    assert rows > 4500
    con = duckdb.connect(str(store), read_only=True)
    # The second search (a nearer centre may lie beyond the cells next to the school's own) is
    # needed for some of these schools, so it is compared too.
    beyond_next_cells = con.execute(
        """
        SELECT count(*)
        FROM travel_distances(effective_as_of(NULL)) AS t
        JOIN partnership_centres(effective_as_of(NULL)) AS c ON c.partnership_code = t.nearest_other_code
        WHERE abs(floor(c.centre_lat / 0.1) - floor(t.latitude / 0.1)) > 1
           OR abs(floor(c.centre_lon / 0.2) - floor(t.longitude / 0.2)) > 1
        """
    ).fetchall()[0][0]
    con.close()
    assert beyond_next_cells > 0


def test_grid_matches_band_join_on_norfolk(norfolk_store):
    only_grid, only_band, not_ties, rows = _compare(norfolk_store)
    assert (only_grid, only_band, not_ties) == (0, 0, 0)
    assert rows > 50


@pytest.mark.parametrize(
    ("which", "kinds_needed"),
    [
        ("england_store", {"school_uncovered", "partnership_no_college", "travel_outlier"}),
        ("sparse_store", {"school_uncovered", "wbl_not_full_member", "travel_outlier"}),
        ("norfolk_store", {"partnership_no_college", "travel_outlier"}),
    ],
)
def test_suggestions_on_the_grid_match_those_before(which, kinds_needed, request):
    """Every suggestion (nearest partnerships for a joiner, nearest colleges for a partnership
    without one, nearer centres for a travel outlier) as before, on every kind of gap."""
    store = request.getfixturevalue(which)
    con = duckdb.connect(str(store), read_only=True)
    try:
        con.execute(SUGGESTIONS_BEFORE_GRID.read_text(encoding="utf-8"))
        census = {"census": con.execute("SELECT latest_census_date()").fetchall()[0][0]}
        new, old = "membership_suggestions", "membership_suggestions_before_grid"
        only_grid = con.execute(SUGGESTIONS_DIFFERENCE.format(first=new, second=old), census).fetchall()[0][0]
        only_before = con.execute(SUGGESTIONS_DIFFERENCE.format(first=old, second=new), census).fetchall()[0][0]
        kinds = con.execute(
            "SELECT list(DISTINCT gap_code ORDER BY gap_code) FROM membership_suggestions(p_census_date := $census)", census
        ).fetchall()[0][0]
    finally:
        con.close()
    assert (only_grid, only_before) == (0, 0)
    assert kinds_needed <= set(kinds)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _register_row(urn: int, lat: float, lon: float) -> dict:
    return {
        "urn": urn,
        "ukprn": None,
        "name": f"Synthetic high school {urn}",
        "kind": "high_school",
        "la_code": "926",
        "district": "Synthetic District",
        "status": "open",
        "closed": None,
        "latitude": lat,
        "longitude": lon,
    }


def _roster_row(code: str, urn: int) -> dict:
    return {
        "partnership_code": code,
        "partnership_name": f"Synthetic partnership {code}",
        "member_id": urn,
        "role": "full",
        "joined": "2009-09-01",
        "left": None,
    }


@pytest.mark.parametrize("other_lat", [53.30, 53.45, 53.62])
def test_far_school_finds_a_centre_beyond_the_next_cells(tmp_path, other_lat):
    """A school ~55 km from its own centre, whose only other centre lies 30-70 km away: inside
    its box but far beyond the cells next to its own (the second search), on the box's edge, or
    outside the box (then there is none, as with the band join)."""
    places = {
        400001: ("AAA", 52.00, 0.50),
        400002: ("AAA", 52.01, 0.50),
        400003: ("AAA", 53.00, 0.50),  # the far member
        400004: ("BBB", other_lat, 0.50),
    }
    frames = {
        "register": pl.DataFrame([_register_row(urn, lat, lon) for urn, (_, lat, lon) in places.items()]),
        "roster": pl.DataFrame([_roster_row(code, urn) for urn, (code, _, _) in places.items()]),
    }
    store = _load(tmp_path, frames)
    assert _compare(store)[:3] == (0, 0, 0)
    con = duckdb.connect(str(store), read_only=True)
    far = con.execute(
        "SELECT km_to_own_centre, nearest_other_code, km_to_nearest_other FROM travel_distances(effective_as_of(NULL)) "
        "WHERE institution_id = 400003"
    ).fetchall()
    con.close()
    [(own_km, other_code, other_km)] = far
    own_centre = ((52.00 + 52.01 + 53.00) / 3, 0.50)
    assert own_km == pytest.approx(_km((53.00, 0.50), own_centre), abs=1e-9)
    if abs(other_lat - 53.00) <= own_km / 110:
        assert (other_code, other_km) == ("BBB", pytest.approx(_km((53.00, 0.50), (other_lat, 0.50)), abs=1e-9))
    else:
        assert (other_code, other_km) == (None, None)


def test_nearest_colleges_beyond_the_cells_first_searched(tmp_path):
    """A partnership without a college whose third-nearest college in the 9 x 9 cells first
    searched (55 km east) is further than one just outside them (52 km north): the wider search
    finds the one to the north, as measuring every college did."""
    centre = (52.05, 0.50)
    km_lat = 6371.0088 * math.pi / 180  # km per degree of latitude
    km_lon = km_lat * math.cos(math.radians(centre[0]))
    colleges = {
        10000001: (centre[0] + 5 / km_lat, centre[1]),
        10000002: (centre[0] + 10 / km_lat, centre[1]),
        10000003: (centre[0], centre[1] + 55 / km_lon),
        10000004: (centre[0] + 52 / km_lat, centre[1]),
    }
    register = [_register_row(400001, *centre)] + [
        {**_register_row(0, lat, lon), "urn": None, "ukprn": ukprn, "kind": "college", "name": f"Synthetic college {ukprn}"}
        for ukprn, (lat, lon) in colleges.items()
    ]
    frames = {"register": pl.DataFrame(register), "roster": pl.DataFrame([_roster_row("AAA", 400001)])}
    store = _load(tmp_path, frames)
    con = duckdb.connect(str(store), read_only=True)
    try:
        con.execute(SUGGESTIONS_BEFORE_GRID.read_text(encoding="utf-8"))
        offered = {}
        for macro in ("membership_suggestions", "membership_suggestions_before_grid"):
            offered[macro] = con.execute(
                f"SELECT member_id, distance_km FROM {macro}() WHERE gap_code = 'partnership_no_college' ORDER BY rank"
            ).fetchall()
    finally:
        con.close()
    assert [member for member, _ in offered["membership_suggestions"]] == [10000001, 10000002, 10000004]
    assert offered["membership_suggestions"] == offered["membership_suggestions_before_grid"]


@pytest.mark.parametrize("threads", [1, 4])
def test_two_centres_exactly_as_near_give_the_lower_code(tmp_path, threads):
    """Two partnerships whose only member is the same school have one centre between them: a
    school nearer that than its own centre gets the lower code, however many threads run."""
    places = [("AAA", 400001, 52.00), ("AAA", 400002, 52.30), ("CCC", 400003, 52.05), ("BBB", 400003, 52.05)]
    frames = {
        "register": pl.DataFrame([_register_row(urn, lat, 0.5) for _, urn, lat in places[:3]]),
        "roster": pl.DataFrame([_roster_row(code, urn) for code, urn, _ in places]),
    }
    store = _load(tmp_path, frames)
    con = duckdb.connect(str(store), read_only=True)
    try:
        con.execute(f"SET threads = {threads}")
        nearest = con.execute(
            "SELECT nearest_other_code, nearest_other_name FROM travel_distances(effective_as_of(NULL)) "
            "WHERE institution_id = 400001"
        ).fetchall()
    finally:
        con.close()
    assert nearest == [("BBB", "Synthetic partnership BBB")]
