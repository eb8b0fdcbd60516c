"""What the Strategy Group decides, kept beside the data: saved scenarios and frozen decisions,
each with its audit entry (pipelines/store/audit_chain.py). A decision is the allocation's
export frozen in the store, so this sits with the exports, above the rules that make its figures.

Every write here goes through the same writer lock and store swap as a load, so a decision is
recorded together with the data it was made on, or not at all. Nothing in this module (or
anywhere else) updates or deletes an audit entry or a decision; a decision is superseded by
approving another.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.base import clock, free_text
from pipelines.base.money import pounds
from pipelines.base.refusals import Refused
from pipelines.outputs import exports
from pipelines.rules.allocate import allocate, data_version, dataset_name, loaded_files
from pipelines.rules.links import from_query
from pipelines.store import audit_chain, db, provenance

logger = logging.getLogger(__name__)


class ExportNameRefused(Refused):
    """A decision's stored file name that would put its file outside the folder asked for."""


def _query_json(query: dict[str, str]) -> str:
    """A link's settings as stored: keys sorted, so the same settings always read the same."""
    return json.dumps(query, sort_keys=True)


# --- scenarios ---------------------------------------------------------------------------------


def save_scenario(db_path: Path | str, name: str, query: dict[str, str], saved_by: str) -> int:
    """Save what-if settings (the link's query parameters) under a name; returns its id."""
    name = free_text.clean_required(name, free_text.SCENARIO_NAME)
    saved_by = free_text.clean_required(saved_by, free_text.SCENARIO_SAVER)
    query_json = _query_json(query)
    db_path = Path(db_path)
    with db.writer_lock(db_path), db.swapped_store(db_path) as con:
        con.begin()
        scenario_id = db.scalar(
            con,
            db.read_sql("records/insert_scenario.sql"),
            {"name": name, "query_json": query_json, "saved_by": saved_by, "saved_at": clock.utc_now()},
        )
        audit_chain.append(con, saved_by, "scenario_save", f"scenario {scenario_id}", f"{name}: {query_json}")
        con.commit()
    logger.info("scenario %d saved: %r by %s", scenario_id, name, saved_by)
    return scenario_id


def delete_scenario(db_path: Path | str, scenario_id: int, deleted_by: str) -> None:
    """Remove a saved scenario (decisions made from it keep their own frozen copy)."""
    deleted_by = free_text.clean(deleted_by, free_text.SCENARIO_DELETER, required=False) or "unknown"
    db_path = Path(db_path)
    with db.writer_lock(db_path), db.swapped_store(db_path) as con:
        con.begin()
        gone = con.execute(db.read_sql("records/delete_scenario.sql"), {"scenario_id": scenario_id}).fetchall()
        if not gone:
            con.rollback()
            raise ValueError(f"there is no scenario {scenario_id}")
        audit_chain.append(con, deleted_by, "scenario_delete", f"scenario {scenario_id}", gone[0][0])
        con.commit()
    logger.info("scenario %d deleted: %r by %s", scenario_id, gone[0][0], deleted_by)


# --- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    decision_id: int
    superseded: int | None
    csv_sha256: str


def approve(
    db_path: Path | str,
    query: dict[str, str],
    *,
    title: str,
    approved_by: str,
    scenario_name: str | None = None,
    note: str | None = None,
) -> Approval:
    """Freeze an allocation as the Group's decision (see _approve); a refusal is logged here,
    whichever screen or command asked, so the server log shows who tried and why it failed."""
    try:
        return _approve(db_path, query, title=title, approved_by=approved_by, scenario_name=scenario_name, note=note)
    except ValueError as refusal:  # AllocationRefused included; nothing was recorded
        # As a terminal shows it: a name refused for a line break must not break the log line.
        who = free_text.for_terminal(approved_by.strip()) or "nobody"
        logger.warning("approval refused (by %s, %r): %s", who, title.strip(), refusal)
        raise


def _approve(
    db_path: Path | str, query: dict[str, str], *, title: str, approved_by: str, scenario_name: str | None, note: str | None
) -> Approval:
    """Freeze an allocation as the Group's decision.

    The allocation is computed inside the write, on the store that the decision is recorded
    in, with today's date and the census fixed, so the frozen figures are exactly those of the
    data named in the record. The export files are made once and kept as bytes."""
    title = free_text.clean_required(title, free_text.DECISION_TITLE)
    approved_by = free_text.clean_required(approved_by, free_text.APPROVER)
    note = free_text.clean(note, free_text.DECISION_NOTE, required=False)
    chosen, problems = from_query(query)
    if problems:
        raise ValueError("; ".join(problems))
    if chosen.changes:
        # Finance pays from a decision: its figures must be of rosters that are loaded, not a draft.
        raise ValueError(
            "this scenario carries a draft membership plan; approve the plan first (its roster is "
            "loaded as a roster file), then approve the allocation on the loaded rosters"
        )
    db_path = Path(db_path)
    with db.writer_lock(db_path), db.swapped_store(db_path) as con:
        at = clock.utc_now()
        frame = allocate(con, chosen)
        census_date, as_of = frame["census_date"][0], frame["as_of"][0]
        # Pin the census and the day, so the record says exactly what the figures used.
        fixed = dataclasses.replace(chosen, census_date=census_date, as_of=as_of)
        version, files, status = data_version(con), loaded_files(con), provenance.data_status(con)
        # Where the log stands before this approval's own entries: the decision and its files say
        # so, and the approval's entry seals both, so entries removed later show against it.
        anchor = audit_chain.anchor(con)
        dataset = dataset_name(con)
        csv_bytes = exports.allocation_csv(frame, fixed, version, data_status=status, audit_anchor=anchor, dataset=dataset)
        xlsx_bytes = exports.allocation_xlsx(
            frame, fixed, version, files, at, data_status=status, audit_anchor=anchor, dataset=dataset
        )
        con.begin()
        previous = db.scalar(con, db.read_sql("records/latest_decision.sql"))
        decision_id = (previous or 0) + 1
        con.execute(
            db.read_sql("records/insert_decision.sql"),
            {
                "decision_id": decision_id,
                "title": title,
                "scenario_name": scenario_name,
                "query_json": _query_json(query),
                "settings_json": json.dumps(fixed.describe()),
                "files_json": json.dumps([{k: str(v) for k, v in row.items()} for row in files.iter_rows(named=True)]),
                "data_version": version,
                "total": fixed.total,
                "census_date": census_date,
                "as_of": as_of,
                "approved_by": approved_by,
                "approved_at": at,
                "csv_file_name": f"decision-{decision_id}_" + exports.allocation_filename(fixed, census_date, "csv"),
                "csv_bytes": csv_bytes,
                "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
                "xlsx_file_name": f"decision-{decision_id}_" + exports.allocation_filename(fixed, census_date, "xlsx"),
                "xlsx_bytes": xlsx_bytes,
                "xlsx_sha256": hashlib.sha256(xlsx_bytes).hexdigest(),
                "note": note,
                "top_slice": frame["top_slice"][0] if "top_slice" in frame.columns else None,
                "audit_anchor_seq": anchor.entries,
                "audit_anchor_hash": anchor.head,
            },
        )
        con.register("lines", frame.with_columns(pl.lit(decision_id).alias("decision_id")))
        con.execute(db.read_sql("records/insert_decision_lines.sql"))
        con.unregister("lines")
        audit_chain.append(
            con,
            approved_by,
            "approve",
            f"decision {decision_id}",
            f"{title}: {pounds(fixed.total)}, census {census_date}, data version {version}" + (f"; note: {note}" if note else ""),
            at=at,
            evidence={"decision_seal": audit_chain.decision_seals(con, decision_id)[decision_id]},
        )
        if previous:
            audit_chain.append(
                con, approved_by, "supersede", f"decision {previous}", f"superseded by decision {decision_id}", at=at
            )
        con.commit()
    logger.info(
        "decision %d approved by %s: %r, total %s, census %s, data version %s%s",
        decision_id,
        approved_by,
        title,
        fixed.total,
        census_date,
        version,
        f", supersedes decision {previous}" if previous else "",
    )
    return Approval(decision_id, previous, hashlib.sha256(csv_bytes).hexdigest())
