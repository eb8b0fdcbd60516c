"""Time building the default store, building an England-sized store from its files, and loading
a large GIAS register, each against floors measured in the same run: a bare polars.read_csv of
the same files, and (for England) that read plus a plain DuckDB insert of the rows.

    python benchmarks/bench_load.py [--rows 50000] [--quick]

Prints figures and ratios; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from benchmarks.generate import gias_register, write_cp1252, write_england  # noqa: E402
from pipelines.base import config  # noqa: E402
from pipelines.datasets.build_default import build  # noqa: E402
from pipelines.ingest.load import Upload, check, load, load_all, write  # noqa: E402
from pipelines.store import db
from pipelines.store.context import context_from  # noqa: E402


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) if repeat < 3 else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (CI smoke run)")
    args = parser.parse_args()
    rows, repeat = (2_000, 1) if args.quick else (args.rows, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = folder / "bench.duckdb"

        build_s = _best(lambda: build(store, config.DEFAULT_DATA_DIR), repeat)
        print(f"build default store: {build_s:.2f} s")

        england_figures(folder, repeat)

        register = folder / "gias_register.csv"
        write_cp1252(gias_register(rows), register)
        size_mb = register.stat().st_size / 1e6
        floor_s = _best(lambda: pl.read_csv(register, encoding="utf8-lossy", infer_schema=False), repeat)

        def load_register():
            build(store, config.DEFAULT_DATA_DIR)  # a fresh store each time: the same file twice is skipped
            started = time.perf_counter()
            load(Upload.from_path("register", register), store)
            return time.perf_counter() - started

        load_times = [load_register() for _ in range(repeat)]
        load_s = statistics.median(load_times)
        print(
            f"GIAS register, {rows:,} rows, {size_mb:.1f} MB: load {load_s:.2f} s; "
            f"bare polars.read_csv {floor_s:.3f} s; ratio {load_s / floor_s:.1f}x"
        )


def england_figures(folder: Path, repeat: int) -> None:
    files = write_england(folder / "england")
    size_mb = sum(path.stat().st_size for _, path in files) / 1e6
    store = folder / "england.duckdb"

    def read_all():
        return [pl.read_csv(path, encoding="utf8-lossy", infer_schema=False) for _, path in files]

    def read_and_insert():
        """Parse, then write each file's rows into a table with no checks, keys or history."""
        con = duckdb.connect()
        for index, frame in enumerate(read_all()):
            con.register("incoming", frame)
            con.execute(f"CREATE TABLE t{index} AS SELECT * FROM incoming")
            con.unregister("incoming")
        con.close()

    floor_s = _best(read_all, repeat)
    insert_s = _best(read_and_insert, repeat)
    build_s = _best(lambda: load_all([Upload.from_path(k, p) for k, p in files], store, fresh=True), repeat)
    stages = [_stages(files) for _ in range(repeat)]
    check_s = statistics.median(s[0] for s in stages)
    write_s = statistics.median(s[1] for s in stages)
    con = duckdb.connect(str(store), read_only=True)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM census_rolls), (SELECT count(*) FROM partnerships)"
    ).fetchone()
    assert counts is not None
    con.close()
    print(
        f"England-sized store from {len(files)} files ({size_mb:.1f} MB; {counts[0]:,} institutions, "
        f"{counts[1]:,} census rows, {counts[2]:,} partnerships): build {build_s:.2f} s; "
        f"bare polars.read_csv {floor_s:.3f} s, ratio {build_s / floor_s:.1f}x; "
        f"read + unchecked DuckDB insert {insert_s:.3f} s, ratio {build_s / insert_s:.1f}x"
    )
    print(
        f"  of which: read and validate {check_s:.3f} s ({check_s / floor_s:.1f}x the bare read); "
        f"keyed insert into the schema {write_s:.3f} s ({write_s / floor_s:.1f}x); "
        f"schema, carry-over, checkpoint and atomic swap {max(build_s - check_s - write_s, 0):.3f} s"
    )


def _stages(files: list[tuple[str, Path]]) -> tuple[float, float]:
    """The build's two data stages timed apart, on an in-memory store with the real schema:
    reading and validating each file (``check``), then writing it through the keys and CHECK
    constraints (``write``). What is left of the build is publishing the file."""
    con = duckdb.connect()
    db.apply_sql(con)
    check_s = write_s = 0.0
    for kind, path in files:
        started = time.perf_counter()
        checked = check(Upload.from_path(kind, path), context_from(con))
        check_s += time.perf_counter() - started
        started = time.perf_counter()
        write(con, checked)
        write_s += time.perf_counter() - started
    con.close()
    return check_s, write_s


if __name__ == "__main__":
    main()
