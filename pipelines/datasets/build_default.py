"""Build the store from the embedded default dataset in data/default.

The files are loaded through the same validation as any other file, in dependency order
(the register before the rosters that name its institutions), as one all-or-nothing unit, with
the map's outlines (the default's reference files) written into the same unit.

One authority per store: a build onto a store of another authority is refused unless told to
replace it (``replace``), because a rebuild carries the store's records over, and one council's
scenarios, decisions and audit log have no place beside another's data. Replaced, the store
starts with no records (they are another council's; a backup keeps them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.base import config, invocation
from pipelines.base.refusals import Refused
from pipelines.datasets import districts
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
# The authority the embedded default describes (the DfE's 3-digit code): its outlines are the
# reference files beside the default data, its name and own outline the England pack's.
DEFAULT_AUTHORITY = "926"


def default_uploads(data_dir: Path = config.DEFAULT_DATA_DIR) -> list[Upload]:
    from pipelines.ingest.load import Upload

    return [Upload.from_path(kind, data_dir / name) for kind, name in DEFAULT_FILES if (data_dir / name).exists()]


def default_outlines() -> districts.StoredOutlines:
    """The default's map: the reference districts as the map draws them, the authority's name and
    outline from the England pack."""
    from pipelines.datasets import england

    authority = england.resolve_authority(DEFAULT_AUTHORITY)
    collection = districts.districts_geojson()
    own = england.outlines(authority)
    return districts.StoredOutlines(authority.code, own.la_name, collection, own.authority, str(collection.get("source", "")))


def build(
    db_path: Path | str = config.DEFAULT_DB,
    data_dir: Path = config.DEFAULT_DATA_DIR,
    *,
    only_if_missing: bool = False,
    replace: bool = False,
) -> list[LoadResult]:
    """Replace the store with one built from scratch from ``data_dir``."""
    uploads = default_uploads(Path(data_dir))
    if not uploads:
        raise FileNotFoundError(f"no default data files in {data_dir}")
    outlines = default_outlines()
    keep = records_kept(db_path, outlines.la_code, outlines.la_name, replace=replace, rebuild="build")
    from pipelines.ingest.load import load_all

    return load_all(
        uploads,
        db_path,
        fresh=True,
        only_if_missing=only_if_missing,
        keep_records=keep,
        finish=lambda con: districts.write_outlines(con, outlines),
    )


def store_authority(db_path: Path | str) -> tuple[str, str | None] | None:
    """The authority an existing store serves, as (code, name): the one its build wrote the map's
    outlines of, else the one most of its open schools are in (name None: not recorded); None for
    no store, or one of no school."""
    path = Path(db_path)
    if not path.exists():
        return None
    con = db.connect_read_only(path)
    try:
        db.refuse_if_too_new(con, path)
        try:
            stored = districts.stored_outlines(con)
        except duckdb.CatalogException:  # an earlier release's store, before the outlines were kept in it
            stored = None
        if stored is not None:
            return stored.la_code, stored.la_name
        rows = con.execute(db.read_sql("reports/register_authority.sql")).fetchall()
    except duckdb.Error as exc:
        raise db.store_problem(exc, path) or db.StoreDamaged(path, str(exc)) from None
    finally:
        con.close()
    return (rows[0][0], rows[0][1]) if rows else None


def records_kept(db_path: Path | str, code: str, name: str, *, replace: bool, rebuild: str) -> bool:
    """Whether a build of the authority ``code`` onto ``db_path`` keeps the store's records: yes
    for a store of the same authority (or none), no for another authority's replaced on purpose;
    Refused for another authority's otherwise. ``rebuild``: the command, as the message repeats it."""
    found = store_authority(db_path)
    if found is None or found[0] == code:
        return True
    if replace:
        return False
    other = f"{found[1] or _name_of(found[0])} ({found[0]})"
    raise Refused(
        f"{db_path} serves {other} and holds its records (scenarios, decisions, the audit log), and a store serves one "
        f"authority: build {name} ({code}) into a store of its own, for example "
        f"{invocation.command(f'{rebuild} --db {code}.duckdb')} (and start the dashboard with PARTNERSHIP_DB set to it); "
        f"or, to replace the store of {other} and leave its records behind, back it up first "
        f"({invocation.command(f'backup --db {db_path} --out FOLDER')}) and add --replace; nothing was changed"
    )


def _name_of(code: str) -> str:
    """An authority's name by its code, for a store that does not record it."""
    from pipelines.datasets import england

    try:
        return england.resolve_authority(code).plain_name
    except Refused:  # a former authority's code (Cumbria's), or none in England
        return "the authority"


def ensure_store(db_path: Path | str = config.DEFAULT_DB) -> Path:
    """Build the default store if there is none yet (first run of the dashboard)."""
    path = Path(db_path)
    if not path.exists():
        build(path, only_if_missing=True)  # checked again under the writer lock
    else:
        db.bring_sql_up_to_date(path)  # a store an earlier release wrote
    return path
