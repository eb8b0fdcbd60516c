"""Build the store from the embedded default dataset in data/default.

The files are loaded through the same validation as any other file, in dependency order
(the register before the rosters that name its institutions), as one all-or-nothing unit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.base import config
from pipelines.store import db

if TYPE_CHECKING:  # the loader is imported only to build: a start on an existing store never loads
    from pipelines.ingest.load import LoadResult, Upload

# (kind, file name) in the order they must load.
DEFAULT_FILES = (
    ("register", "register.csv"),
    ("census", "census.csv"),
    ("roster", "roster.csv"),
    ("accreditation", "accreditation.csv"),
    ("health_check", "health_check.csv"),
    ("previous_allocation", "previous_allocation.csv"),
    ("dataset", "dataset.csv"),
)


def default_uploads(data_dir: Path = config.DEFAULT_DATA_DIR) -> list[Upload]:
    from pipelines.ingest.load import Upload

    return [Upload.from_path(kind, data_dir / name) for kind, name in DEFAULT_FILES if (data_dir / name).exists()]


def build(
    db_path: Path | str = config.DEFAULT_DB, data_dir: Path = config.DEFAULT_DATA_DIR, *, only_if_missing: bool = False
) -> list[LoadResult]:
    """Replace the store with one built from scratch from ``data_dir``."""
    uploads = default_uploads(Path(data_dir))
    if not uploads:
        raise FileNotFoundError(f"no default data files in {data_dir}")
    from pipelines.ingest.load import load_all

    return load_all(uploads, db_path, fresh=True, only_if_missing=only_if_missing)


def ensure_store(db_path: Path | str = config.DEFAULT_DB) -> Path:
    """Build the default store if there is none yet (first run of the dashboard)."""
    path = Path(db_path)
    if not path.exists():
        build(path, only_if_missing=True)  # checked again under the writer lock
    else:
        db.bring_sql_up_to_date(path)  # a store an earlier release wrote
    return path
