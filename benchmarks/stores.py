"""The stores every benchmark measures on: the default Norfolk store, and on request a generated
England-sized one, built the same way for each script."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import write_england
from pipelines import config
from pipelines.build_default import build
from pipelines.load import Upload, load_all


def england_store(folder: Path) -> Path:
    store = folder / "england.duckdb"
    load_all([Upload.from_path(kind, path) for kind, path in write_england(folder / "england")], store, fresh=True)
    return store


def bench_stores(folder: Path, england: bool) -> list[tuple[str, Path]]:
    """(label, store) pairs: Norfolk always, England when asked."""
    norfolk = folder / "norfolk.duckdb"
    build(norfolk, config.DEFAULT_DATA_DIR)
    stores = [("default Norfolk store", norfolk)]
    if england:
        stores.append(("England-sized store", england_store(folder)))
    return stores
