"""The audit log's seal: a keyed hash chain, what each entry vouches for, and its verification.

An unkeyed hash chain proves nothing against someone who can write the store: they edit an entry
and recompute every hash after it. So each entry's hash is an HMAC-SHA256 under a key kept
outside the store (PARTNERSHIP_AUDIT_KEY, else the file PARTNERSHIP_AUDIT_KEY_FILE names, else a
key file made once in the user's configuration folder). The encoding hashed is JSON, so no text
can move from one field to the next and keep the hash. DuckDB has no HMAC, so the hash is made
here; the SQL files keep reading and inserting.

An entry may carry evidence (JSON, sealed with it): an approval carries the sha256 of its
decision's lines, frozen files and record, so a pound moved between two partnerships of a
decision is found even though decision_lines is not the log. Truncation (entries removed from the
end) is found by cross-checking the record tables against the log: every load, saved scenario and
decision has its entry, and every decision names the entry count and head hash the log had when
it was approved. Exports carry the same anchor ("audit log: N entries, head ..."), so a copy held
elsewhere can be checked against the store later (``audit --anchor N:HEX``).

What it cannot do: whoever holds the key can rewrite the whole log; removing the newest entries
that no record points at (a scenario's removal, an upgrade, a restore) shows only against an
anchor written elsewhere; entries written before the keyed seal are as trustworthy as the store
was at the upgrade that sealed them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb

from pipelines.base import clock, config, invocation
from pipelines.base.money import pounds
from pipelines.store.audit_key import KEY_FILE_ENV, AuditKeyProblem, Key, load_key, make_key, where_looked

SCHEME = "hmac-sha256/json-1"
# The migration after which every entry is sealed with the key (sql/migrations/003_*).
KEYED_SINCE_MIGRATION = 3
ANCHOR_TEXT = re.compile(r"^\s*(?:audit log:\s*)?(\d+)\s*(?::|entries,\s*head)\s*([0-9a-fA-F]+)\s*$")
ANCHOR_MIN_HEX = 8

logger = logging.getLogger(__name__)


def writer_key(con: duckdb.DuckDBPyConnection, *, to_seal: int = 0) -> Key:
    """The key a write on the store behind ``con`` seals with: one that verifies every sealed
    entry already there. A key is made only for a store whose log is empty (a new store); any
    other store without its key is refused, so a missing or misspelt key file (or ``sudo``, which
    drops the variable) can never start a second key in the middle of a log."""
    key = load_key()
    rows = con.execute(_sql("reports/audit_entries.sql")).fetchall()
    if key is None:
        if rows or to_seal:
            sealed = sorted({row[8] for row in rows if row[9] == SCHEME})
            what = f"is sealed with key {', '.join(sealed)}" if sealed else "holds entries to be sealed at this upgrade"
            raise AuditKeyProblem(
                f"no audit key: {where_looked()}, and this store's audit log {what}; nothing was changed; "
                f"point {KEY_FILE_ENV} at the store's key file (e.g. {KEY_FILE_ENV}=/etc/partnership/audit.key), "
                f"or, for a store whose log was never sealed, make one first with: {invocation.command('make-key')}"
            )
        key = make_key()
        return key
    verdict = Verdict(key_id=key.key_id, key_source=key.source, entries=len(rows))
    verified = _check_chain(rows, key, verdict)
    _accept_restored(rows, key, verdict, verified)
    if verdict.changed or verdict.missing or verdict.other_keys or verdict.unsealed:
        raise AuditKeyProblem(
            f"the audit log does not verify under the audit key from {key.source} (key id {key.key_id}): "
            + "; ".join(verdict.problems())
            + f"; nothing was changed; if this is the wrong key, point {KEY_FILE_ENV} at the store's key file; "
            "otherwise see: partnership audit, and restore a backup that verifies"
        )
    return key


# --- sealing -------------------------------------------------------------------------------------


def _sql(relative: str) -> str:
    return (config.SQL_DIR / relative).read_text(encoding="utf-8")


# What an entry's hash covers besides the key and the entry before it, in order: seq, recorded_at,
# actor, action, subject, detail and evidence (its JSON text, or None).
Entry = tuple[int, dt.datetime, str, str, str, str, str | None]


def canonical(key_id: str, prev_hash: str, *entry: *Entry) -> bytes:
    """The bytes an entry's hash covers: a JSON array, so a field's text cannot pass for the next's."""
    seq, recorded_at, *words = entry
    fields = [SCHEME, key_id, prev_hash, seq, recorded_at.isoformat(), *words]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal(key: Key, prev_hash: str, *entry: *Entry) -> str:
    return hmac.new(key.secret, canonical(key.key_id, prev_hash, *entry), hashlib.sha256).hexdigest()


def _evidence_text(evidence: dict[str, Any] | None) -> str | None:
    return None if evidence is None else json.dumps(evidence, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _utc_naive(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def append(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    subject: str,
    detail: str,
    *,
    at: dt.datetime | None = None,
    evidence: dict[str, Any] | None = None,
    key: Key | None = None,
) -> int:
    """One sealed entry, inside the caller's transaction (which holds the writer lock); returns its seq."""
    key = key or writer_key(con)
    last_seq, last_hash, _ = _head(con)
    at = _utc_naive(at or clock.utc_now())
    seq = last_seq + 1
    _write(con, key, last_hash, seq, at, actor, action, subject, detail, _evidence_text(evidence))
    return seq


def _write(con: duckdb.DuckDBPyConnection, key: Key, prev_hash: str, *entry: *Entry) -> str:
    """One entry, sealed after ``prev_hash``, for a new entry and for an old one sealed again;
    returns its hash, the next entry's ``prev_hash``."""
    entry_hash = seal(key, prev_hash, *entry)
    seq, at, actor, action, subject, detail, evidence = entry
    con.execute(
        _sql("records/append_audit.sql"),
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": detail,
            "evidence": evidence,
            "prev_hash": prev_hash,
            "key_id": key.key_id,
            "hash_scheme": SCHEME,
            "entry_hash": entry_hash,
        },
    )
    return entry_hash


# --- anchors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where the log stood: its newest entry's number and hash."""

    entries: int
    head: str

    def text(self) -> str:
        if not self.entries:
            return "audit log: no entries"
        return f"audit log: {self.entries} entries, head {self.head[:16]}"

    def check_command(self) -> str:
        if not self.entries:
            return "nothing to check: the log was empty"
        return invocation.command(f"audit --anchor {self.entries}:{self.head[:16]}")


def _head(con: duckdb.DuckDBPyConnection) -> tuple[int, str, str | None]:
    """The newest entry's number, hash and key fingerprint; fetched whole, so the connection is
    free for the next statement (DuckDB refuses new work while a result is half read)."""
    seq, entry_hash, key_id = con.execute(_sql("records/audit_head.sql")).fetchall()[0]
    return int(seq), entry_hash, key_id


def anchor(con: duckdb.DuckDBPyConnection) -> Anchor:
    last_seq, last_hash, _ = _head(con)
    return Anchor(int(last_seq), last_hash)


def parse_anchor(text: str) -> tuple[int, str]:
    """``N:HEX`` or the words an export carries (``audit log: N entries, head HEX``)."""
    match = ANCHOR_TEXT.match(text)
    if not match or int(match.group(1)) < 1 or len(match.group(2)) < ANCHOR_MIN_HEX:
        raise ValueError(
            f"an anchor is N:HEX, the entry count and at least {ANCHOR_MIN_HEX} hex digits of the head hash as an "
            f"export's About sheet gives them (e.g. 12:0123456789abcdef), not {text!r}"
        )
    return int(match.group(1)), match.group(2).lower()


def check_anchor(con: duckdb.DuckDBPyConnection, text: str, verdict: Verdict | None = None) -> str | None:
    """None when entry N is in the store with a hash starting HEX and the log verifies under the
    key in use (a matching hash in a log that does not verify proves nothing); else what is wrong."""
    seq, prefix = parse_anchor(text)
    found = con.execute(_sql("reports/audit_entry_hash.sql"), {"seq": seq}).fetchall()
    last = anchor(con).entries
    if not found:
        return f"the anchor {seq}:{prefix} names entry {seq}, but the log " + (
            f"ends at entry {last}: entries were removed" if last < seq else f"has no entry {seq}: it was removed"
        )
    if not found[0][0].startswith(prefix):
        return f"the anchor {seq}:{prefix} does not match: entry {seq}'s hash is {found[0][0][:16]}; the log was rewritten"
    verdict = verdict or verify(con)
    if seq <= verdict.accepted_through:
        return (
            f"entry {seq} is one of the entries a restore took on unverified (1-{verdict.accepted_through}), so a "
            "matching hash there proves nothing"
        )
    if not verdict.intact:
        return (
            f"entry {seq}'s hash starts {prefix}, but the log does not verify under the key in use, so that proves "
            f"nothing: {verdict.summary()}"
        )
    return None


# --- what decisions are sealed with --------------------------------------------------------------


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def decision_seals(con: duckdb.DuckDBPyConnection, decision_id: int | None = None) -> dict[int, dict[str, str]]:
    """Each decision's record, lines and frozen files as sha256 digests (what an approval's
    entry carries and what verification recomputes)."""
    lines = {r[0]: r[1] for r in con.execute(_sql("reports/decision_seal_lines.sql")).fetchall()}
    seals = {}
    for decision, record, csv_bytes, xlsx_bytes in con.execute(_sql("reports/decision_seal_records.sql")).fetchall():
        if decision_id is not None and decision != decision_id:
            continue
        seals[decision] = {
            "record_sha256": _digest(record),
            "lines_sha256": _digest(lines.get(decision, [])),
            "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
            "xlsx_sha256": hashlib.sha256(xlsx_bytes).hexdigest(),
        }
    return seals


SEAL_PARTS = {
    "lines_sha256": "its lines (the amounts per partnership)",
    "csv_sha256": "its frozen CSV file",
    "xlsx_sha256": "its frozen XLSX file",
    "record_sha256": "its record (title, settings, total, who, when or anchor)",
}


# --- the upgrade to the keyed seal --------------------------------------------------------------


def after_migration(con: duckdb.DuckDBPyConnection, number: int) -> dict[str, Any]:
    """The step of a migration that SQL cannot do; returns what the upgrade's entry records.

    Migration 003 moves the log to the keyed seal: the entries written before it are checked by
    the rule they were written under, then every one is sealed again, unchanged in its words,
    with the key (its old hash kept in its evidence, the old table kept beside). The upgrade's
    own entry then carries every decision's digests, so decisions approved before the seal are
    covered from that moment on."""
    if number != KEYED_SINCE_MIGRATION:
        return {}
    legacy = con.execute(_sql("records/legacy_audit_entries.sql")).fetchall()
    key = writer_key(con, to_seal=len(legacy))
    legacy_broken = [seq for seq, intact in con.execute(_sql("records/legacy_audit_verification.sql")).fetchall() if not intact]
    prev_hash = ""
    for seq, at, actor, action, subject, detail, old_hash in legacy:
        evidence = _evidence_text({"sha256_before_003": old_hash})
        prev_hash = _write(con, key, prev_hash, seq, at, actor, action, subject, detail, evidence)
    unrecorded = [f"{kind} {ident}" for kind, ident, _ in con.execute(_sql("reports/audit_unrecorded.sql")).fetchall()]
    return {
        "resealed_entries": len(legacy),
        "broken_before_seal": legacy_broken,
        "unrecorded_before_seal": unrecorded,
        "decision_seals": {str(k): v for k, v in decision_seals(con).items()},
        "files_disagree_before_seal": {str(k): v for k, v in lines_against_files(con).items()},
    }


# --- verification --------------------------------------------------------------------------------


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9': a break from entry 3 onwards reads as one."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _entries(numbers: list[int]) -> str:
    return f"entry {numbers[0]}" if len(set(numbers)) == 1 else f"entries {_ranges(numbers)}"


def _are(numbers: list[int]) -> str:
    return "is" if len(set(numbers)) == 1 else "are"


@dataclass
class Verdict:
    entries: int = 0
    decisions: int = 0
    key_id: str | None = None
    key_source: str | None = None
    changed: list[int] = field(default_factory=list)  # entries whose seal or link does not hold
    missing: list[int] = field(default_factory=list)  # numbers absent between 1 and the newest
    other_keys: dict[str, list[int]] = field(default_factory=dict)  # entries labelled with another key: unverifiable
    unsealed: list[int] = field(default_factory=list)  # entries not under the keyed scheme
    decisions_changed: dict[int, list[str]] = field(default_factory=dict)
    decisions_unproved: dict[int, int] = field(default_factory=dict)  # decision -> its approval's unverified entry
    unrecorded: list[str] = field(default_factory=list)  # records with no entry in the log
    anchors: list[str] = field(default_factory=list)  # decisions' anchors that the log no longer has
    broken_before_seal: list[int] = field(default_factory=list)  # failed the old rule when sealed
    before_seal: list[str] = field(default_factory=list)  # known at the upgrade; said, not a break
    accepted: list[str] = field(default_factory=list)  # entries a keyed restore took on unverified
    accepted_through: int = 0  # the newest of those entries (0: none)
    removed: list[str] = field(default_factory=list)  # records the log vouches for that are gone

    @property
    def unverifiable(self) -> bool:
        """Entries this key cannot check: they may say anything, so they count as a break."""
        return bool(self.other_keys)

    @property
    def tampered(self) -> bool:
        """Anything changed or not verifiable under the key in use: never read as 'no change'."""
        return bool(
            self.changed
            or self.missing
            or self.other_keys
            or self.decisions_unproved
            or self.removed
            or self.unsealed
            or self.decisions_changed
            or self.unrecorded
            or self.anchors
            or self.broken_before_seal
        )

    @property
    def intact(self) -> bool:
        return not self.tampered and self.key_id is not None

    def summary(self) -> str:
        """One line: the verdict in plain words."""
        if self.intact:
            accepted = f"; NOT verified: {'; '.join(self.accepted)}" if self.accepted else ""
            return (
                f"intact: {self.entries} entries, keyed (HMAC-SHA256, key {self.key_id}); "
                f"the lines and frozen files of all {self.decisions} decisions match{accepted}"
            )
        if self.key_id is None:
            return (
                f"NOT VERIFIED: there is no audit key here ({where_looked()}); set {KEY_FILE_ENV} to the key file "
                "this store's log was sealed with"
            )
        if self.only_unverifiable:
            return "NOT VERIFIED (changed or unverifiable): " + "; ".join(self.problems())
        return "CHANGED outside the tool: " + "; ".join(self.problems())

    @property
    def only_unverifiable(self) -> bool:
        """Nothing found changed, but entries this key cannot check: still a break, said as such."""
        return self.tampered and not (set(self.problems()) - set(self._key_problems()))

    def _key_problems(self) -> list[str]:
        unproved = [
            f"decision {decision}: its seal is in entry {seq}, which cannot be verified, so its lines and files are not proved"
            for decision, seq in sorted(self.decisions_unproved.items())
        ]
        return unproved + [
            f"{_entries(seqs)} {'carries' if len(seqs) == 1 else 'carry'} another key's id ({key_id}), so the key in use "
            f"(key id {self.key_id}, from {self.key_source}) cannot check {'it' if len(seqs) == 1 else 'them'}: "
            f"changed or sealed with another key; verify with the store's key ({KEY_FILE_ENV})"
            for key_id, seqs in sorted(self.other_keys.items())
        ]

    def problems(self) -> list[str]:
        said = []
        if not self.entries:
            said.append("the audit log is empty: every entry has been removed")
        if self.missing:
            said.append(f"{_entries(self.missing)} {_are(self.missing)} missing")
        if self.changed:
            said.append(f"the keyed chain breaks at {_entries(self.changed)} (edited, inserted or re-hashed)")
        if self.unsealed:
            said.append(f"{_entries(self.unsealed)} {_are(self.unsealed)} not sealed with the key")
        said.extend(self.removed)
        for decision, parts in sorted(self.decisions_changed.items()):
            said.append(f"decision {decision}: " + ", ".join(parts))
        if self.unrecorded:
            shown = ", ".join(self.unrecorded[:10]) + (
                f" and {len(self.unrecorded) - 10} more" if len(self.unrecorded) > 10 else ""
            )
            said.append(f"no audit entry for {shown} (entries removed or altered)")
        said.extend(self.anchors)
        if self.broken_before_seal:
            said.append(
                f"{_entries(self.broken_before_seal)} had already been changed when the log was sealed with the key "
                "(they failed the old unkeyed check at the upgrade)"
            )
        said.extend(self._key_problems())
        return said

    def notes(self) -> list[str]:
        return [*self.before_seal, *(f"NOT verified: {text}" for text in self.accepted)]


def _check_chain(rows: list[tuple], key: Key | None, verdict: Verdict) -> set[int]:
    """Each entry's link and seal under ``key``; returns the entries that verified."""
    expected_seq, prev_hash = 1, ""
    verified: set[int] = set()
    for seq, at, actor, action, subject, detail, evidence, prev, key_id, scheme, entry_hash in rows:
        if seq > expected_seq:
            verdict.missing.extend(range(expected_seq, seq))
        linked = prev == prev_hash and seq >= expected_seq
        if scheme != SCHEME:
            verdict.unsealed.append(seq)
        elif key is not None and key_id != key.key_id:
            verdict.other_keys.setdefault(key_id, []).append(seq)
        elif key is not None:
            sealed = seal(key, prev, seq, at, actor, action, subject, detail, evidence)
            if linked and hmac.compare_digest(sealed, entry_hash):
                verified.add(seq)
            else:
                verdict.changed.append(seq)
        expected_seq, prev_hash = seq + 1, entry_hash
    return verified


def entries_digest(rows: list[tuple]) -> str:
    """What a restore that took a backup's log on unverified vouches for: those entries exactly."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([str(value) for value in row], ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def _accept_restored(rows: list[tuple], key: Key, verdict: Verdict, verified: set[int]) -> set[int]:
    """Entries before a restore that was told to take an unverified backup (``--accept-unverified``):
    the restore's own entry, sealed with the key, vouches for exactly those entries as they were,
    so they are said as 'not verified', and a change to them since is still a break."""
    accepted: set[int] = set()
    for seq, at, actor, action, _subject, _detail, evidence, _prev, _key_id, *_ in rows:
        taken = _parse_evidence(evidence).get("accepted_unverified") if action == "restore" else None
        if not taken or seq not in verified:  # only a restore entry this key seals can vouch for anything
            continue
        through = int(taken.get("through_seq", 0))
        before = [row for row in rows if row[0] <= through]
        if entries_digest(before) != taken.get("digest"):
            continue  # changed since the restore: left as the chain check found it
        span = set(range(1, through + 1))
        accepted |= span
        verdict.accepted.append(
            f"entries 1-{through} came from a backup that did not verify under this key, taken on by {actor} at the "
            f"restore of {clock.uk_text(at)} (entry {seq}): {taken.get('reason', '')}"
        )
    if accepted:
        verdict.changed = [n for n in verdict.changed if n not in accepted]
        verdict.missing = [n for n in verdict.missing if n not in accepted]
        verdict.unsealed = [n for n in verdict.unsealed if n not in accepted]
        verdict.other_keys = {
            k: kept for k, seqs in verdict.other_keys.items() if (kept := [n for n in seqs if n not in accepted])
        }
    return accepted


def lines_against_files(con: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """Each decision whose lines do not pay what its frozen CSV pays, with the partnerships that
    differ: the lines are what the pages show, the file what finance paid, and a store edited
    before its log was sealed (or under a key) must not pass either off as the other."""
    lines: dict[int, dict[str, Decimal]] = {}
    for decision, code, amount in con.execute(_sql("reports/decision_line_amounts.sql")).fetchall():
        lines.setdefault(decision, {})[code] = Decimal(amount)
    differ: dict[int, list[str]] = {}
    for decision, csv_bytes in con.execute(_sql("reports/decision_frozen_csv.sql")).fetchall():
        frozen = _frozen_amounts(bytes(csv_bytes))
        if frozen is None:
            differ[decision] = ["its frozen CSV has no partnership code and amount columns to compare"]
            continue
        ours = lines.get(decision, {})
        said = [
            f"{code} {_pounds(ours.get(code))} in the lines, {_pounds(frozen.get(code))} in the file"
            for code in sorted(set(ours) | set(frozen))
            if ours.get(code) != frozen.get(code)
        ]
        if said:
            differ[decision] = said
    return differ


def _pounds(amount: Decimal | None) -> str:
    return pounds(amount, blank="none")


def _frozen_amounts(csv_bytes: bytes) -> dict[str, Decimal] | None:
    """The amount per partnership code a frozen CSV pays (the county's top-slice line aside)."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig", errors="replace"))))
    if not rows:
        return None
    header = rows[0]
    code_at = next((i for i, name in enumerate(header) if name.strip().lower() == "partnership code"), None)
    amount_at = next((i for i, name in enumerate(header) if name.strip().lower().startswith("amount")), None)
    if code_at is None or amount_at is None:
        return None
    amounts: dict[str, Decimal] = {}
    for row in rows[1:]:
        if len(row) <= max(code_at, amount_at) or row[code_at] in ("", config.TOP_SLICE_CODE):
            continue
        try:
            amounts[row[code_at].lstrip("'")] = Decimal(row[amount_at].replace(",", "").replace("£", ""))
        except InvalidOperation:
            return None
    return amounts


def verify(con: duckdb.DuckDBPyConnection, key: Key | None = None) -> Verdict:
    """Check the whole log against the key, and the records against the log."""
    if key is None:
        key = load_key()
    verdict = Verdict(key_id=key.key_id if key else None, key_source=key.source if key else None)
    rows = con.execute(_sql("reports/audit_entries.sql")).fetchall()
    verdict.entries = len(rows)
    verified = _check_chain(rows, key, verdict)
    accepted = _accept_restored(rows, key, verdict, verified) if key is not None else set()
    verdict.accepted_through = max(accepted, default=0)
    trusted = verified | accepted
    approvals: dict[int, dict] = {}
    untrusted_approvals: dict[int, int] = {}
    approved_in: dict[int, int] = {}
    upgrades: list[dict] = []
    hashes: dict[int, str] = {}
    for seq, _at, _actor, action, subject, _detail, evidence, *_, entry_hash in rows:
        hashes[seq] = entry_hash
        parsed = _parse_evidence(evidence)
        if action == "approve" and "decision_seal" in parsed:
            number = _subject_number(subject)
            if key is not None and seq not in trusted:
                untrusted_approvals[number] = seq
            elif number in approved_in:
                verdict.removed.append(
                    f"decision {number} was approved twice (entries {approved_in[number]} and {seq}): a decision was "
                    "removed and its number given again"
                )
            else:
                approvals[number], approved_in[number] = parsed["decision_seal"], seq
        if action == "upgrade" and parsed and (key is None or seq in trusted):
            upgrades.append(parsed)
    for upgrade in upgrades:
        verdict.broken_before_seal.extend(upgrade.get("broken_before_seal", []))
        if upgrade.get("unrecorded_before_seal"):
            verdict.before_seal.append(
                "already without an audit entry when the log was sealed: " + ", ".join(upgrade["unrecorded_before_seal"])
            )
    acknowledged = {item for upgrade in upgrades for item in upgrade.get("unrecorded_before_seal", [])}
    unrecorded = [
        row for row in con.execute(_sql("reports/audit_unrecorded.sql")).fetchall() if f"{row[0]} {row[1]}" not in acknowledged
    ]
    verdict.unrecorded = [
        f"{kind} {name!r}" if ident is None else f"{kind} {ident}" + (f" ({name})" if name else "")
        for kind, ident, name in unrecorded
    ]
    approval_missing = {ident for kind, ident, _ in unrecorded if kind == "decision"}
    last = max(hashes, default=0)
    sealed_at_upgrade: dict[int, dict] = {}
    for upgrade in upgrades:
        for decision, digests in upgrade.get("decision_seals", {}).items():
            sealed_at_upgrade[int(decision)] = digests
    actual = decision_seals(con)
    verdict.decisions = len(actual)
    for decision in sorted(set(approvals) - set(actual)):
        verdict.removed.append(
            f"decision {decision} is in the log (approved in entry {approved_in[decision]}) but not in the store: it was removed"
        )
    for decision in sorted(set(sealed_at_upgrade) - set(actual) - set(approvals)):
        verdict.removed.append(f"decision {decision} was sealed at the upgrade but is not in the store: it was removed")
    for decision, digests in actual.items():
        recorded = approvals.get(decision) or sealed_at_upgrade.get(decision)
        if recorded is None:
            if decision in untrusted_approvals:
                verdict.decisions_unproved[decision] = untrusted_approvals[decision]
            elif decision not in approval_missing:
                verdict.decisions_changed[decision] = ["its seal is missing from the log, so nothing it holds"]
            continue
        parts = [SEAL_PARTS[name] for name in SEAL_PARTS if recorded.get(name) != digests[name]]
        if parts:
            verdict.decisions_changed[decision] = [", ".join(parts) + " changed since it was sealed"]
    for decision, differences in lines_against_files(con).items():
        verdict.decisions_changed.setdefault(decision, []).append(
            "its lines do not match its frozen CSV ("
            + "; ".join(differences[:5])
            + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
            + ")"
        )
    for decision, anchor_seq, anchor_hash in con.execute(_sql("reports/decision_anchors.sql")).fetchall():
        if anchor_seq > last:
            verdict.anchors.append(
                f"decision {decision} was approved when the log ran to entry {anchor_seq}, but it now ends at entry "
                f"{last}: entries were removed from the end"
            )
        elif anchor_seq in hashes and hashes[anchor_seq] != anchor_hash:
            verdict.anchors.append(f"entry {anchor_seq} is not the entry decision {decision} was approved after")
    return verdict


def _parse_evidence(evidence: str | None) -> dict:
    if not evidence:
        return {}
    try:
        parsed = json.loads(evidence)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _subject_number(subject: str) -> int:
    try:
        return int(subject.rsplit(" ", 1)[-1])
    except ValueError:
        return -1
