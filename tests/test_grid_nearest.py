"""grid_nearest (sql/macros/005_grid_nearest.sql), the one search behind the travel check and
every kind of suggestion, finds exactly what measuring every pair finds, whatever a point may be
offered (inside a box, skipping keys, or anything, through grid_nearest_anywhere), for either
kind of key, with ties in distance and points far from every target: the grid only decides which
pairs are measured, so a wrong cell range would drop a target silently rather than fail."""

from __future__ import annotations

import random

import duckdb
import pytest

from pipelines.store import db

POINTS = """
CREATE TEMP TABLE points (
    point BIGINT, latitude DOUBLE, longitude DOUBLE,
    box_lat_lo DOUBLE, box_lat_hi DOUBLE, box_lon_lo DOUBLE, box_lon_hi DOUBLE,
    skip_key {key}, skip_keys {key}[]
)
"""
TARGETS = "CREATE TEMP TABLE targets (key {key}, name VARCHAR, latitude DOUBLE, longitude DOUBLE)"
# Every pair measured: the k nearest each point may be offered, in distance then key order. With
# anywhere, every target may be offered to every point.
BRUTE_FORCE = """
SELECT point, list(km ORDER BY km, key), list(key ORDER BY km, key), list(name ORDER BY km, key)
FROM (
    SELECT p.point, t.key, t.name, km_between(p.latitude, p.longitude, t.latitude, t.longitude) AS km,
           row_number() OVER (PARTITION BY p.point
                              ORDER BY km_between(p.latitude, p.longitude, t.latitude, t.longitude), t.key) AS rank
    FROM points AS p
    JOIN targets AS t
      ON t.latitude IS NOT NULL
     AND ({anywhere} OR (t.latitude BETWEEN p.box_lat_lo AND p.box_lat_hi
                         AND t.longitude BETWEEN p.box_lon_lo AND p.box_lon_hi
                         AND t.key IS DISTINCT FROM p.skip_key
                         AND NOT coalesce(list_contains(p.skip_keys, t.key), false)))
)
WHERE rank <= $k
GROUP BY point
"""


@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect()
    db.apply_sql(con)  # an empty store: the helpers and the macros as a store has them
    yield con
    con.close()


def _fill(con: duckdb.DuckDBPyConnection, seed: int, key_type: str) -> None:
    """Targets clustered round a few towns (so the cells first searched often hold fewer than k),
    some sharing one position (ties in distance, broken by key) and some without a location; points
    near and far (beyond every target), with boxes small and large and keys to skip or none."""
    rng = random.Random(seed)
    con.execute("DROP TABLE IF EXISTS points")
    con.execute("DROP TABLE IF EXISTS targets")
    con.execute(POINTS.format(key=key_type))
    con.execute(TARGETS.format(key=key_type))

    def key(n: int) -> object:
        return f"T{n:04d}" if key_type == "VARCHAR" else 10_000_000 + n

    towns = [(rng.uniform(50.5, 54.5), rng.uniform(-4.0, 1.5)) for _ in range(6)]
    targets: list[tuple] = []
    for n in range(160):
        lat, lon = rng.choice(towns)
        position = (lat + rng.gauss(0, 0.3), lon + rng.gauss(0, 0.5))
        if n % 17 == 0 and targets:
            position = (targets[-1][2], targets[-1][3])  # exactly where the last one is
        if n % 23 == 0:
            position = (None, None)
        targets.append((key(n), f"target {n}", *position))
    con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?)", targets)
    keys = [t[0] for t in targets]
    points = []
    for point in range(120):
        lat, lon = (rng.uniform(49.0, 56.0), rng.uniform(-7.0, 3.0)) if point % 5 else rng.choice(towns)
        if point % 11 == 0:
            lat, lon = 58.5, 10.0  # far beyond every target
        reach = rng.choice([5, 30, 120, 400])
        box = (lat - reach / 110, lat + reach / 110, lon - reach / 55, lon + reach / 55)
        skip_key = rng.choice(keys) if point % 2 else None
        skip_keys = rng.sample(keys, 3) if point % 3 == 0 else None
        points.append((point, lat, lon, *box, skip_key, skip_keys))
    con.executemany("INSERT INTO points VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", points)


def _by_point(rows: list[tuple]) -> dict[int, list[tuple]]:
    """point -> its nearest as (km, key, name), nearest first."""
    return {point: list(zip(kms, keys, names, strict=True)) for point, kms, keys, names in rows}


@pytest.mark.parametrize("key_type", ["VARCHAR", "BIGINT"])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("ring", "k"), [(0, 1), (1, 1), (2, 3), (4, 5)])
def test_grid_nearest_is_what_measuring_every_pair_finds(macros, key_type, seed, ring, k):
    con = macros
    _fill(con, seed, key_type)
    query = f"SELECT point, nearest_km, nearest_key, nearest_name FROM grid_nearest('points', 'targets', {ring}, {k})"
    grid = _by_point(con.execute(query).fetchall())
    every = _by_point(con.execute(BRUTE_FORCE.format(anywhere="false"), {"k": k}).fetchall())
    assert grid == every
    # What the grid has to get right is there: points with k found and with fewer, points with
    # nothing to offer, and exact ties.
    assert 30 < len(every) < 120
    assert any(len(found) == k for found in every.values())
    assert k == 1 or any(len(found) < k for found in every.values())
    tied = con.execute(
        "SELECT count(*) FROM (SELECT latitude, longitude FROM targets WHERE latitude IS NOT NULL "
        "GROUP BY ALL HAVING count(*) > 1)"
    ).fetchall()[0][0]
    assert tied > 0


@pytest.mark.parametrize("key_type", ["VARCHAR", "BIGINT"])
@pytest.mark.parametrize(("ring", "k"), [(0, 1), (2, 3), (4, 5)])
def test_anywhere_gives_every_point_the_nearest_of_all(macros, key_type, ring, k):
    """A point that may be offered anything, even one far from every target (nothing in the
    cells round it), gets the k nearest of all."""
    con = macros
    _fill(con, 4, key_type)
    query = f"SELECT point, nearest_km, nearest_key, nearest_name FROM grid_nearest_anywhere('points', 'targets', {ring}, {k})"
    grid = _by_point(con.execute(query).fetchall())
    every = _by_point(con.execute(BRUTE_FORCE.format(anywhere="true"), {"k": k}).fetchall())
    assert grid == every
    assert len(grid) == 120 and all(len(found) == k for found in grid.values())
