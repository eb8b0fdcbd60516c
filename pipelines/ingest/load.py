"""Load files into the store: validate everything first, then write in one transaction on a
copy of the store that replaces the live one only when the whole load has succeeded."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.base import clock, csv_out, free_text, input_file
from pipelines.ingest.checks import CHECKS
from pipelines.ingest.layouts import KINDS
from pipelines.ingest.problems import Problem, Report, ValidationFailed
from pipelines.ingest.raw_table import ROW
from pipelines.ingest.readers import read_table
from pipelines.ingest.validate import columns_worth_reading, validate_table
from pipelines.store import audit_chain, db, record_tables
from pipelines.store.context import StoreContext, context_from, read_context

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """A file to load: its name (for reports and the log) and its bytes."""

    kind: str
    name: str
    data: bytes
    actor: str = ""  # who loads it, for the audit log; empty: the command line's user

    @classmethod
    def from_path(cls, kind: str, path: Path | str, actor: str = "") -> Upload:
        """Raises InputFileRefused, before reading anything, for a pipe, a folder or a device, or a
        file over the size limit (which is refused from its size alone, never read into memory)."""
        path = Path(path)
        return cls(kind, path.name, input_file.read_input(path), actor)

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Checked:
    """A validated file: its report and, when it passed, the rows to write."""

    upload: Upload
    report: Report
    rows: pl.DataFrame | None

    @property
    def ok(self) -> bool:
        return self.report.ok and self.rows is not None


@dataclass(frozen=True)
class LoadResult:
    report: Report
    sha256: str
    rows: int
    skipped: bool  # the file is identical to the latest load of its kind: nothing was done


def check(upload: Upload, ctx: StoreContext) -> Checked:
    """Validate a file against its layout and the store's current contents. Writes nothing."""
    if upload.kind not in KINDS:
        raise ValueError(f"unknown kind {upload.kind!r}; expected one of: {', '.join(KINDS)}")
    raw = read_table(
        upload.name, upload.data, sheet_hint=upload.kind, columns=lambda header: columns_worth_reading(upload.kind, header)
    )
    report, layout, typed = validate_table(upload.kind, raw, upload.name)
    if typed is None or layout is None:
        return Checked(upload, report, None)
    blocking = {p.row for p in report.errors if p.row is not None}
    # Rows with bad cells are left out of the cross-row rules so one typo is reported once.
    rows = CHECKS[upload.kind](typed.filter(~pl.col(ROW).is_in(sorted(blocking))), upload.name, ctx, report, layout.name)
    return Checked(upload, report, rows if report.ok else None)


def check_file(upload: Upload, db_path: Path | str) -> Checked:
    return check(upload, read_context(db_path))


def load(upload: Upload, db_path: Path | str) -> LoadResult:
    """Load one file. Raises ValidationFailed (nothing changed) if it has any error."""
    db_path = Path(db_path)
    with db.writer_lock(db_path):
        return load_locked(upload, db_path)


def load_locked(upload: Upload, db_path: Path) -> LoadResult:
    """Load one file, the caller holding the writer lock (a plan makes its roster under it)."""
    ctx = read_context(db_path)
    checked = check(upload, ctx)
    if not checked.ok:
        _log_refusal(upload, checked.report)
        raise ValidationFailed(checked.report)
    if ctx.loaded.get(upload.kind) == upload.sha256:
        logger.info(
            "load skipped: %s (%s) is identical to the latest %s load, sha256 %s; %d rows; nothing changed",
            upload.name,
            upload.kind,
            upload.kind,
            upload.sha256[:12],
            checked.report.rows,
        )
        return LoadResult(checked.report, upload.sha256, checked.report.rows, skipped=True)
    try:
        with db.swapped_store(db_path) as con:
            written = write(con, checked)
    except ValidationFailed as failure:
        _log_refusal(upload, failure.report)
        raise
    _log_loaded(upload, written, checked.report, db_path)
    return LoadResult(checked.report, upload.sha256, written, skipped=False)


def _log_loaded(upload: Upload, rows: int, report: Report, db_path: Path | None = None) -> None:
    # An accreditation file changes who is funded: named so, as in the audit log.
    what = "loaded accreditation change" if upload.kind == "accreditation" else "loaded"
    logger.info(
        "%s %s (%s): %d rows, %d warnings, sha256 %s%s, by %s",
        what,
        upload.name,
        upload.kind,
        rows,
        len(report.warnings),
        upload.sha256[:12],
        f", into {db_path}" if db_path else "",
        upload.actor or record_tables.command_line_actor(),
    )


def _log_refusal(upload: Upload, report: Report) -> None:
    """One line an operator can grep for, with the first reasons; the full report goes to whoever loaded."""
    reasons = "; ".join(str(p) for p in report.errors[:3])
    more = f" (and {len(report.errors) - 3} more)" if len(report.errors) > 3 else ""
    logger.warning(
        "load refused: %s (%s), sha256 %s: %d errors: %s%s",
        upload.name,
        upload.kind,
        upload.sha256[:12],
        len(report.errors),
        reasons,
        more,
    )


def load_all(
    uploads: list[Upload],
    db_path: Path | str,
    *,
    fresh: bool = False,
    only_if_missing: bool = False,
    keep_records: bool = True,
    build_note: str = "",
    finish: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> list[LoadResult]:
    """Load several files as one unit: all of them land, or none does. Each file is
    validated against the store as the files before it left it.

    ``only_if_missing`` loads nothing when the store exists once the lock is held, so two
    dashboards starting together build the first store once, not one over the other.

    A rebuild (``fresh``) carries the records (scenarios, decisions, the audit log) over from the
    store it replaces unless ``keep_records`` is False (a store of another authority's, replaced on
    purpose); ``build_note`` ends its audit entry. ``finish`` writes what is not a file's rows (a
    build's map outlines) into the same unit, after the files, in its own transaction."""
    db_path = Path(db_path)
    results: list[LoadResult] = []
    with db.writer_lock(db_path):
        if only_if_missing and db_path.exists():
            return results
        logger.info("%s %s from %d files", "rebuilding" if fresh else "loading into", db_path, len(uploads))
        with db.swapped_store(db_path, fresh=fresh) as con:
            if fresh:
                # A rebuild replaces the data, never the record of what was decided on it.
                if keep_records:
                    record_tables.carry_over(db_path, con)
                con.begin()
                audit_chain.append(
                    con,
                    (uploads[0].actor if uploads else "") or record_tables.command_line_actor(),
                    "build",
                    "store",
                    f"rebuilt from {len(uploads)} files: " + ", ".join(u.name for u in uploads) + build_note,
                )
                con.commit()
            results = _load_each(uploads, con)
            if finish is not None:
                con.begin()
                try:
                    finish(con)
                    con.commit()
                except BaseException:
                    con.rollback()
                    raise
    # Logged once the swap is done: until then a later file's failure leaves none of them loaded.
    for upload, result in zip(uploads, results, strict=True):
        _log_loaded(upload, result.rows, result.report, db_path)
    return results


def _load_each(uploads: list[Upload], con: duckdb.DuckDBPyConnection) -> list[LoadResult]:
    results = []
    for upload in uploads:
        checked = check(upload, context_from(con))
        if not checked.ok:
            _log_refusal(upload, checked.report)
            raise ValidationFailed(checked.report)
        try:
            written = write(con, checked)
        except ValidationFailed as failure:
            _log_refusal(upload, failure.report)
            raise
        results.append(LoadResult(checked.report, upload.sha256, written, skipped=False))
    return results


def write(con: duckdb.DuckDBPyConnection, checked: Checked) -> int:
    """Write validated rows and log the load, in one transaction."""
    assert checked.rows is not None
    upload, report = checked.upload, checked.report
    rows = checked.rows.drop(ROW)
    con.begin()
    try:
        con.register("incoming", rows)
        con.execute(db.read_sql(f"load/{upload.kind}.sql"))
        con.execute(
            db.read_sql("load/log_load.sql"),
            {
                "file_name": upload.name,
                "sha256": upload.sha256,
                "kind": upload.kind,
                "layout": report.layout,
                "rows": rows.height,
                "warnings": len(report.warnings),
                "loaded_at": clock.utc_now(),
            },
        )
        con.unregister("incoming")
        audit_chain.append(
            con,
            upload.actor or record_tables.command_line_actor(),
            "accreditation_change" if upload.kind == "accreditation" else "load",
            upload.kind,
            f"{upload.name}: {rows.height} rows, sha256 {upload.sha256}",
        )
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        report.add(
            Problem(
                upload.name,
                None,
                None,
                None,
                f"values the store can hold (it refused the file, so nothing was loaded: {exc})",
                "error",
                "store",
            )
        )
        raise ValidationFailed(report) from exc
    return rows.height


def accreditation_upload(
    code: str, status: str, decided_on: dt.date, review_due: dt.date | None, notes: str, actor: str
) -> Upload:
    """One accreditation decision entered on screen, as the one-row file a data officer would
    load, so it passes the same checks and lands in the same logs. The notes are typed, so they
    follow the rule for typed text (pipelines/base/free_text.py): FreeTextRefused says what is wrong."""
    frame = pl.DataFrame(
        {
            "partnership_code": [code],
            "status": [status],
            "decided_on": [decided_on],
            "review_due": [review_due],
            "notes": [free_text.clean(notes, free_text.ACCREDITATION_NOTES, required=False)],
        }
    )
    name = f"accreditation_{code}_{decided_on.isoformat()}_entered.csv"
    return Upload("accreditation", name, csv_out.frame_csv(frame).encode("utf-8"), actor)
