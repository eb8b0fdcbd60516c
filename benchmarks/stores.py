"""The stores every benchmark measures on: the default Norfolk store, and on request a generated
England-sized one (or N times England), built the same way for each script."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from benchmarks.generate import BEYOND_GREAT_BRITAIN, write_england
from pipelines.base import config
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, load_all


def england_store(folder: Path, scale: int = 1) -> Path:
    return scaled_england_store(folder, scale)[0]


def scaled_england_store(folder: Path, scale: int = 1) -> tuple[Path, dict[str, float]]:
    """A store of ``scale`` times England (benchmarks/generate.py), and the seconds taken to
    write its files, to load them (the ordinary loader: validation, one transaction, swap) and,
    when some tiles lie outside Great Britain, to move those there (``place_beyond_great_britain``).
    Scale 1 is the England-sized store every benchmark has used."""
    name = "england" if scale == 1 else f"england_{scale}x"
    store = folder / f"{name}.duckdb"
    started = time.perf_counter()
    files = write_england(folder / name, scale=scale)
    written = time.perf_counter()
    load_all([Upload.from_path(kind, path) for kind, path in files], store, fresh=True)
    loaded = time.perf_counter()
    seconds = {"write files": written - started, "load": loaded - written}
    beyond = folder / name / BEYOND_GREAT_BRITAIN
    if beyond.exists():
        seconds["move tiles beyond Great Britain"] = place_beyond_great_britain(store, beyond)
    return store, seconds


def place_beyond_great_britain(store: Path, places: Path) -> float:
    """Move the synthetic tiles that do not fit in Great Britain to their true places, and return
    the seconds it took.

    16 times England's area does not fit in Great Britain, and the register refuses places
    outside it (pipelines/ingest/checks.py) as does the institutions table's CHECK. So the files hold
    those tiles at England's own position and load through the ordinary loader; then, for the
    benchmark only, the institutions table is rebuilt with the same definition less its two
    Great Britain CHECKs, with those tiles at their true places (grid positions dropped: none
    exists there). No product code path writes a store like this; the product never should."""
    started = time.perf_counter()
    con = duckdb.connect(str(store))
    try:
        ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'institutions'").fetchall()[0][0]
        wide, dropped = re.subn(r",\s*CHECK\(\((latitude|longitude) BETWEEN [-0-9.]+ AND [-0-9.]+\)\)", "", ddl)
        if dropped != 2:
            raise RuntimeError(f"expected the institutions table's two Great Britain CHECKs, found {dropped}: {ddl}")
        con.begin()
        con.execute(wide.replace("CREATE TABLE institutions(", "CREATE TABLE institutions_beyond(", 1))
        con.execute(
            """
            INSERT INTO institutions_beyond
            SELECT i.* REPLACE (
                coalesce(b.latitude, i.latitude) AS latitude, coalesce(b.longitude, i.longitude) AS longitude,
                CASE WHEN b.institution_id IS NULL THEN i.easting END AS easting,
                CASE WHEN b.institution_id IS NULL THEN i.northing END AS northing)
            FROM institutions AS i
            LEFT JOIN read_csv($places, columns = {'institution_id': 'BIGINT', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'},
                               header = true) AS b USING (institution_id)
            """,
            {"places": str(places)},
        )
        con.execute("DROP TABLE institutions")
        con.execute("ALTER TABLE institutions_beyond RENAME TO institutions")
        con.commit()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - started


def bench_stores(folder: Path, england: bool, scales: tuple[int, ...] = ()) -> list[tuple[str, Path]]:
    """(label, store) pairs: Norfolk always, England when asked, and N times England for each
    N in ``scales`` (see scaled_england_store)."""
    norfolk = folder / "norfolk.duckdb"
    build(norfolk, config.DEFAULT_DATA_DIR)
    stores = [("default Norfolk store", norfolk)]
    if england:
        stores.append(("England-sized store", england_store(folder)))
    stores.extend((f"{scale}x England store", england_store(folder, scale)) for scale in scales if scale > 1)
    return stores
