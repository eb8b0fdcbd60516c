"""The travel-to-learn check on its spatial grid finds exactly what the band join it replaced
found (benchmarks/baselines/travel_distances_before_grid.sql), row for row and to the last bit
of every distance, on the generated England and on the real Norfolk default data; the 4x and
16x England comparisons are in benchmarks/bench_gaps_scale.py."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import polars as pl
import pytest

from benchmarks.generate import england
from pipelines import config
from pipelines.build_default import build
from pipelines.load import Upload, load_all

BEFORE_GRID = config.PROJECT_ROOT / "benchmarks" / "baselines" / "travel_distances_before_grid.sql"
DIFFERENCE = """
SELECT count(*) FROM (
    SELECT * FROM {first}($as_of) EXCEPT ALL SELECT * FROM {second}($as_of)
)
"""


def _load(folder: Path, frames: dict[str, pl.DataFrame]) -> Path:
    uploads = []
    for kind, frame in frames.items():
        path = folder / f"{kind}.csv"
        frame.write_csv(path)
        uploads.append(Upload.from_path(kind, path))
    store = folder / "store.duckdb"
    load_all(uploads, store, fresh=True)
    return store


def _compare(store: Path) -> tuple[int, int, int]:
    """Rows only the grid gives, rows only the band join gave, and rows in all."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        con.execute(BEFORE_GRID.read_text(encoding="utf-8"))
        as_of = {"as_of": con.execute("SELECT effective_as_of(NULL)").fetchall()[0][0]}
        only_grid = con.execute(DIFFERENCE.format(first="travel_distances", second="travel_distances_before_grid"), as_of)
        only_grid_rows = only_grid.fetchall()[0][0]
        only_band = con.execute(DIFFERENCE.format(first="travel_distances_before_grid", second="travel_distances"), as_of)
        only_band_rows = only_band.fetchall()[0][0]
        rows = con.execute("SELECT count(*) FROM travel_distances($as_of)", as_of).fetchall()[0][0]
    finally:
        con.close()
    return only_grid_rows, only_band_rows, rows


def test_grid_matches_band_join_on_generated_england(tmp_path):
    store = _load(tmp_path, england())
    only_grid, only_band, rows = _compare(store)
    assert (only_grid, only_band) == (0, 0)
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


def test_grid_matches_band_join_on_norfolk(tmp_path):
    store = tmp_path / "norfolk.duckdb"
    build(store, config.DEFAULT_DATA_DIR)
    only_grid, only_band, rows = _compare(store)
    assert (only_grid, only_band) == (0, 0)
    assert rows > 50


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
    assert _compare(store)[:2] == (0, 0)
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
