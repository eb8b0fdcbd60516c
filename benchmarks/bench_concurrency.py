"""Loads a second with several writers loading into the same store at once, against one writer
loading alone, measured in the same run on the default Norfolk store.

    python benchmarks/bench_concurrency.py [--writers 4] [--seconds 5] [--rounds 3] [--quick]

Each writer is a process of its own (as a command-line load and the dashboard's Data page are)
and loads one-row census files back to back, each different from the store's latest census load
so that none is skipped as identical. Writers take turns through the store's writer lock, so
several together can at best match one writer's rate: the ratio shows what waiting for the lock
costs. Rounds alternate one writer and several, their order swapped each round; each round
starts once every writer has imported and is ready. Prints the median and the range of the
rounds, and checks that the store's load log holds every load made; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import multiprocessing.synchronize
import queue
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stores import bench_stores  # noqa: E402
from pipelines.ingest.load import Upload, load  # noqa: E402

READY_TIMEOUT_S = 120  # a writer that has not started by then has failed


def _writer(
    store: str,
    folder: str,
    urn: int,
    census_date: str,
    seconds: float,
    run: int,
    ready: multiprocessing.synchronize.Barrier,
    results: Any,
) -> None:
    """Load for ``seconds`` once every writer is ready; put (loads, elapsed seconds) on ``results``."""
    logging.getLogger("pipelines").setLevel(logging.WARNING)  # one line per load would swamp the figures
    files = []
    # Alternated, and new in each round: a file is never the same as the store's latest census load
    # (the other writers' files name other schools).
    for headcount in (100 + 2 * run, 101 + 2 * run):
        path = Path(folder) / f"census_{urn}_{headcount}.csv"
        path.write_text(f"urn,census_date,nc_year,headcount\n{urn},{census_date},10,{headcount}\n", encoding="utf-8")
        files.append(Upload.from_path("census", path))
    ready.wait(READY_TIMEOUT_S)
    started = time.perf_counter()
    loads = 0
    while time.perf_counter() - started < seconds:
        result = load(files[loads % 2], store)
        if result.skipped:
            raise RuntimeError(f"writer {urn}: a load was skipped as identical")
        loads += 1
    results.put((loads, time.perf_counter() - started))


def _logged_loads(store: Path) -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM load_log").fetchone()
        assert row is not None
        return int(row[0])
    finally:
        con.close()


def _schools(store: Path, count: int) -> tuple[list[int], str]:
    """One school for each writer (so two writers never load the same file) and the latest
    census date, so each load changes one figure of the census the dashboard already shows."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        latest = con.execute("SELECT max(census_date) FROM census_rolls").fetchall()[0][0]
        urns = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT urn FROM census_rolls WHERE census_date = ? AND nc_year = 10 ORDER BY urn LIMIT ?",
                [latest, count],
            ).fetchall()
        ]
    finally:
        con.close()
    if len(urns) < count:
        raise SystemExit(f"the store has Year 10 figures for {len(urns)} schools; {count} writers need one each")
    return urns, latest.isoformat()


def run_round(store: Path, folder: Path, urns: list[int], census_date: str, seconds: float, run: int) -> tuple[float, int]:
    """(loads a second, loads) of ``len(urns)`` writers loading at once."""
    context = multiprocessing.get_context("spawn")  # a fork would copy the parent's DuckDB and polars state
    ready = context.Barrier(len(urns))
    results = context.Queue()
    writers = [
        context.Process(target=_writer, args=(str(store), str(folder), urn, census_date, seconds, run, ready, results))
        for urn in urns
    ]
    for writer in writers:
        writer.start()
    done: list[tuple[int, float]] = []
    while len(done) < len(writers):
        try:
            done.append(results.get(timeout=1))
        except queue.Empty:
            if any(writer.exitcode not in (None, 0) for writer in writers):
                for writer in writers:
                    writer.terminate()
                raise SystemExit("a writer failed (its traceback is above)") from None
    for writer in writers:
        writer.join()
        if writer.exitcode != 0:
            raise SystemExit(f"a writer failed (exit code {writer.exitcode})")
    loads = sum(n for n, _ in done)
    return loads / max(elapsed for _, elapsed in done), loads


def _figure(rates: list[float]) -> str:
    return f"{statistics.median(rates):6.2f} loads/s  (range {min(rates):.2f}-{max(rates):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each round loads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one short round of one and of two writers (CI smoke run)")
    args = parser.parse_args()
    writers, seconds, rounds = (2, 1.5, 1) if args.quick else (args.writers, args.seconds, args.rounds)
    if writers < 2:
        parser.error("--writers: at least 2 (one writer alone is measured in every round)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        [(label, store)] = bench_stores(folder, england=False)
        urns, census_date = _schools(store, writers)
        rates: dict[int, list[float]] = {1: [], writers: []}
        before, made = _logged_loads(store), 0
        for run in range(rounds):
            for count in (1, writers) if run % 2 == 0 else (writers, 1):
                rate, loads = run_round(store, folder, urns[:count], census_date, seconds, 2 * run + (count > 1))
                rates[count].append(rate)
                made += loads
        logged = _logged_loads(store) - before
    if logged != made:
        raise SystemExit(f"the writers made {made} loads but the load log holds {logged}")
    alone = statistics.median(rates[1])
    together = statistics.median(rates[writers])
    print(f"{label}: one-row census loads, {rounds} round(s) of {seconds:.1f} s each way; all {made} loads are in the load log")
    print(f"  1 writer alone      {_figure(rates[1])}  ({1000 / alone:.0f} ms a load)")
    print(
        f"  {writers} writers at once  {_figure(rates[writers])}  ({together / alone:.2f}x one writer alone; "
        f"{together / writers:.2f} loads/s each)"
    )


if __name__ == "__main__":
    main()
