"""The travel-to-learn distances: the SQL's shortcut (it only measures centres that could be
nearer than a school's own) finds exactly what measuring every centre finds."""

from __future__ import annotations

import math

import duckdb

from benchmarks.generate import england
from pipelines.ingest.load import Upload, load_all


def _km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_nearest_other_centre_matches_brute_force(tmp_path):
    frames = england(seed=7, partnerships=120)
    uploads = []
    for kind, frame in frames.items():
        path = tmp_path / f"{kind}.csv"
        frame.write_csv(path)
        uploads.append(Upload.from_path(kind, path))
    store = tmp_path / "e.duckdb"
    load_all(uploads, store, fresh=True)
    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute(
        "SELECT partnership_code, institution_id, km_to_own_centre, nearest_other_code, km_to_nearest_other "
        "FROM travel_distances(DATE '2025-09-01')"
    ).fetchall()
    members = con.execute(
        "SELECT partnership_code, latitude, longitude, institution_id FROM memberships_on(DATE '2025-09-01') "
        "WHERE role = 'full' AND known AND is_open AND must_be_covered AND latitude IS NOT NULL"
    ).fetchall()
    con.close()
    points: dict[str, list[tuple[float, float]]] = {}
    where = {}
    for code, lat, lon, iid in members:
        points.setdefault(code, []).append((lat, lon))
        where[iid] = (lat, lon)
    centres = {c: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps)) for c, ps in points.items()}
    assert len(rows) > 4000
    nearer_found = 0
    for code, iid, own_km, other_code, other_km in rows:
        assert abs(own_km - _km(where[iid], centres[code])) < 1e-6
        best = min(((c, _km(where[iid], centre)) for c, centre in centres.items() if c != code), key=lambda x: x[1])
        if best[1] < own_km:
            nearer_found += 1
            assert other_code == best[0] and abs(other_km - best[1]) < 1e-6
        else:
            assert other_code is None or other_km >= own_km - 1e-9
    assert nearer_found > 0
