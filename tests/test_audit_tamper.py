"""Tampering with the audit log, the decisions or their files behind the tool's back is found,
and said in plain words: each way the review found through the old unkeyed chain is tried here
on a store, with the command line's verdict and exit code checked.

The store: the small data (a build entry and six loads), a saved scenario whose name holds the
old encoding's separator, and two approvals (the second supersedes the first): 11 entries.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
from pathlib import Path

import duckdb
import openpyxl
import pytest
from conftest import TEST_AUDIT_KEY
from test_dashboard import fresh_caches, open_page  # noqa: F401 - a fixture

from pipelines.cli.main import main
from pipelines.outputs import meeting_pack, records
from pipelines.rules.allocate import AllocationSettings
from pipelines.store import audit_chain, audit_key, db

LINK = {"total": "10000", "pending": "1", "asof": "2025-09-01"}
OLD_RULE = "sha256(concat_ws('|', prev_hash, CAST(seq AS VARCHAR), CAST(recorded_at AS VARCHAR), actor, action, subject, detail))"


@pytest.fixture(scope="module")
def sealed_template(small_store_template, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sealed") / "store.duckdb"
    shutil.copyfile(small_store_template, path)
    records.save_scenario(path, "Plan|B", LINK, "Chair")
    records.approve(path, LINK, title="First", approved_by="Chair")
    records.approve(path, {**LINK, "total": "12000"}, title="Second", approved_by="Chair")
    return path


@pytest.fixture
def sealed(sealed_template, tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copyfile(sealed_template, path)
    return path


def _write(store: Path, *statements: str, params: list | None = None) -> None:
    con = duckdb.connect(str(store))
    try:
        for statement in statements:
            con.execute(statement, params)
    finally:
        con.close()


def _rows(store: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _verdict(store: Path) -> audit_chain.Verdict:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return audit_chain.verify(con)
    finally:
        con.close()


def _audit(store: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["audit", "--last", "0", "--db", str(store), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _rehash_from(store: Path, seq: int, rule: str) -> None:
    """What the review did: after an edit, recompute every later entry's link and hash by a rule
    anyone can run (no key), so each entry again names its predecessor's hash."""
    last = _rows(store, "SELECT max(seq) FROM audit_log")[0][0]
    for n in range(seq, last + 1):
        _write(
            store,
            "UPDATE audit_log SET prev_hash = coalesce((SELECT entry_hash FROM audit_log WHERE seq = $1 - 1), '') WHERE seq = $1",
            f"UPDATE audit_log SET entry_hash = {rule} WHERE seq = $1",
            params=[n],
        )


def test_an_untouched_store_is_intact_keyed_with_every_decision_matching(sealed, capsys):
    code, out, err = _audit(sealed, capsys)
    assert code == 0, err
    assert "audit log intact: 11 entries, keyed (HMAC-SHA256" in out
    assert "the lines and frozen files of all 2 decisions match" in out
    assert [r[0] for r in _rows(sealed, "SELECT DISTINCT hash_scheme FROM audit_log")] == [audit_chain.SCHEME]


@pytest.mark.parametrize(
    ("removed", "said"),
    [
        (1, "no audit entry for supersession of decision 1"),
        (3, "no audit entry for decision 1 (First), decision 2 (Second), supersession of decision 1"),
        (11, "the audit log is empty: every entry has been removed"),
    ],
)
def test_removing_the_newest_entries_or_all_of_them_is_found(sealed, capsys, removed, said):
    _write(sealed, f"DELETE FROM audit_log WHERE seq > 11 - {removed}")
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "audit log CHANGED outside the tool" in err and said in err
    if removed == 11:  # every load, the scenario and both decisions are named as unrecorded
        assert "load 1 (register.csv)" in err and "scenario 1 (Plan|B)" in err


def test_removing_the_entry_of_a_scenarios_removal_is_found(sealed, capsys):
    records.save_scenario(sealed, "Short-lived", LINK, "Chair")
    records.delete_scenario(sealed, 2, "Chair")
    assert _audit(sealed, capsys)[0] == 0
    _write(sealed, "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")  # the scenario_delete entry
    code, _, err = _audit(sealed, capsys)
    assert code == 2 and "no audit entry for removal of scenario 2 (entries removed or altered)" in err


def test_removing_an_entry_in_the_middle_is_named(sealed, capsys):
    _write(sealed, "DELETE FROM audit_log WHERE seq = 4")
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "entry 4 is missing" in err
    assert "load 3 (roster.csv)" in err  # the roster load it recorded


@pytest.mark.parametrize(
    "rule",
    [
        OLD_RULE,  # the scheme entries were written under before the key
        "sha256(CAST([hash_scheme, key_id, prev_hash, CAST(seq AS VARCHAR), CAST(recorded_at AS VARCHAR), actor, action, "
        "subject, detail, evidence] AS VARCHAR))",  # plain sha256 over today's fields
    ],
    ids=["old-scheme", "plain-sha256"],
)
def test_an_edit_with_every_later_hash_recomputed_without_the_key_is_found(sealed, capsys, rule):
    _write(sealed, "UPDATE audit_log SET actor = 'Mallory' WHERE seq = 9")
    _rehash_from(sealed, 9, rule)
    assert [ok for _, ok in _rows(sealed, db.read_sql("reports/audit_verification.sql"))] == [True] * 11  # links hold
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "the keyed chain breaks at entries 9-11" in err


def test_text_moved_across_a_field_boundary_is_found(sealed, capsys):
    """The old encoding joined fields with '|': 'scenario 1' + 'Plan|B: ...' hashed the same as
    'scenario 1|Plan' + 'B: ...'. JSON keeps each field's text its own."""
    subject, detail = _rows(sealed, "SELECT subject, detail FROM audit_log WHERE action = 'scenario_save'")[0]
    assert (subject, detail[:7]) == ("scenario 1", "Plan|B:")
    moved = ("scenario 1|Plan", detail[len("Plan|") :])
    assert "|".join((subject, detail)) == "|".join(moved)  # the same text under the old encoding
    _write(sealed, "UPDATE audit_log SET subject = $1, detail = $2 WHERE action = 'scenario_save'", params=list(moved))
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "the keyed chain breaks at entry 8 (" in err


def test_the_canonical_encoding_keeps_fields_apart():
    at = audit_chain.clock.utc_now()
    one = audit_chain.canonical("k", "", 1, at, "a", "scenario_save", "scenario 1", "Plan|B: x", None)
    two = audit_chain.canonical("k", "", 1, at, "a", "scenario_save", "scenario 1|Plan", "B: x", None)
    assert one != two


def test_a_pound_moved_between_partnerships_of_a_decision_is_found(sealed, capsys):
    before = _rows(sealed, "SELECT partnership_code, amount FROM decision_lines WHERE decision_id = 1 ORDER BY 1")
    assert [code for code, _ in before] == ["P1", "P2"]
    _write(
        sealed,
        "UPDATE decision_lines SET amount = amount - 1000 WHERE decision_id = 1 AND partnership_code = 'P2'",
        "UPDATE decision_lines SET amount = amount + 1000 WHERE decision_id = 1 AND partnership_code = 'P1'",
    )
    assert _rows(sealed, "SELECT sum(amount) FROM decision_lines WHERE decision_id = 1") == [(sum(a for _, a in before),)]
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "decision 1: its lines (the amounts per partnership) changed since it was sealed" in err
    assert "decision 2" not in err


def test_a_frozen_file_changed_with_its_stored_checksum_is_found(sealed, capsys):
    data = _rows(sealed, "SELECT csv_bytes FROM decisions WHERE decision_id = 2")[0][0]
    forged = data.replace(b"4500.00", b"5500.00", 1)
    assert forged != data
    _write(
        sealed,
        "UPDATE decisions SET csv_bytes = $1, csv_sha256 = sha256($1) WHERE decision_id = 2",
        params=[forged],
    )
    code, _, err = _audit(sealed, capsys)
    assert code == 2
    assert "decision 2: its frozen CSV file, its record (title, settings, total, who, when or anchor) changed" in err


def test_a_decisions_anchor_beyond_the_end_of_the_log_is_found(sealed):
    _write(sealed, "UPDATE decisions SET audit_anchor_seq = 40 WHERE decision_id = 2")
    problems = _verdict(sealed).problems()
    assert (
        "decision 2 was approved when the log ran to entry 40, but it now ends at entry 11: entries were removed from the end"
        in problems
    )


def test_a_wrong_key_is_reported_as_unverifiable_never_as_no_change(sealed, capsys, monkeypatch):
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "another-installation-key-0000000000")
    code, out, err = _audit(sealed, capsys)
    assert code == 2
    assert "no change" not in (out + err).lower()
    ours = audit_key.Key(TEST_AUDIT_KEY.encode(), "test").key_id
    assert "NOT VERIFIED (changed or unverifiable)" in err
    assert f"entries 1-11 carry another key's id ({ours})" in err and "changed or sealed with another key" in err


def _relabel_approval(store: Path) -> None:
    """What the review did with write access but no key: relabel the newest approval's entry
    with another actor and a made-up key id, its hash left as it was."""
    _write(
        store,
        "UPDATE audit_log SET actor = 'someone else', key_id = '0000000000000000' "
        "WHERE seq = (SELECT max(seq) FROM audit_log WHERE action = 'approve')",
    )


def test_an_entry_relabelled_with_another_key_id_is_reported_as_changed_or_unverifiable(sealed, capsys):
    anchor = audit_chain.anchor(duckdb.connect(str(sealed), read_only=True))
    _relabel_approval(sealed)
    code, out, err = _audit(sealed, capsys)
    assert code == 2 and "no change" not in (out + err).lower()
    assert "carries another key's id (0000000000000000)" in err
    # An anchor printed before still names the same hash, but a log that does not verify proves nothing.
    code, out, err = _audit(sealed, capsys, "--anchor", f"{anchor.entries}:{anchor.head[:16]}")
    assert code == 2 and "matches the log" not in out
    assert "anchor does NOT match" in err and "does not verify under the key in use" in err


def test_a_pound_moved_under_a_relabelled_approval_with_plain_digests_is_found(sealed, capsys):
    """The relabelled entry's evidence recomputed with plain sha256 to fit lines with £1,000
    moved: the approval's evidence is no longer trusted, and the lines disagree with the file."""
    lines = _rows(sealed, "SELECT partnership_code, amount FROM decision_lines WHERE decision_id = 2 ORDER BY amount DESC")
    (rich, _), (poor, _) = lines[0], lines[-1]
    move = "UPDATE decision_lines SET amount = amount + $1 WHERE decision_id = 2 AND partnership_code = $2"
    _write(sealed, move, params=[-1000, rich])
    _write(sealed, move, params=[1000, poor])
    con = duckdb.connect(str(sealed))
    evidence = json.loads(con.execute("SELECT evidence FROM audit_log WHERE action = 'approve' ORDER BY seq DESC").fetchone()[0])
    evidence["decision_seal"] = audit_chain.decision_seals(con, 2)[2]
    con.execute(
        "UPDATE audit_log SET evidence = $1 WHERE seq = (SELECT max(seq) FROM audit_log WHERE action = 'approve')",
        [json.dumps(evidence, sort_keys=True, separators=(",", ":"))],
    )
    con.close()
    _relabel_approval(sealed)
    code, out, err = _audit(sealed, capsys)
    assert code == 2 and "no change" not in (out + err).lower()
    assert "decision 2: its lines do not match its frozen CSV" in err
    assert f"{rich} " in err and f"{poor} " in err


def test_the_data_page_shows_an_unverifiable_log_in_red(sealed, monkeypatch):
    _relabel_approval(sealed)
    app = open_page(sealed, monkeypatch, "data")
    assert any("carries another key" in e.value.replace("\\", "") for e in app.error)
    assert not any("audit" in w.value.lower() for w in app.warning)


def test_no_key_at_all_says_so(sealed, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("PARTNERSHIP_AUDIT_KEY")
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY_FILE", str(tmp_path / "absent.key"))
    code, _, err = _audit(sealed, capsys)
    assert code == 2 and "NOT VERIFIED: there is no audit key here" in err
    assert not (tmp_path / "absent.key").exists()  # verifying never makes a key


def test_an_entry_re_sealed_with_another_key_is_not_intact(sealed):
    other = audit_key.Key(b"an-attackers-own-key-xxxxxxxxxxxx", "elsewhere")
    seq, at, actor, action, subject, detail, evidence, prev, *_ = _rows(
        sealed, db.read_sql("reports/audit_entries.sql").replace("ORDER BY seq", "ORDER BY seq DESC LIMIT 1")
    )[0]
    forged = audit_chain.seal(other, prev, seq, at, "Mallory", action, subject, detail, evidence)
    _write(
        sealed,
        "UPDATE audit_log SET actor = 'Mallory', key_id = $1, entry_hash = $2 WHERE seq = $3",
        params=[other.key_id, forged, seq],
    )
    verdict = _verdict(sealed)
    assert not verdict.intact
    assert verdict.other_keys == {other.key_id: [11]}


# --- anchors -------------------------------------------------------------------------------------


def test_decisions_and_their_frozen_files_carry_the_anchor_of_the_log_before_them(sealed, tmp_path, capsys):
    (seq, head), *_ = _rows(sealed, "SELECT audit_anchor_seq, audit_anchor_hash FROM decisions WHERE decision_id = 2")
    assert seq == 9 and _rows(sealed, "SELECT entry_hash FROM audit_log WHERE seq = 9") == [(head,)]
    out = tmp_path / "decision-2.xlsx"
    assert main(["decisions", "2", "--out", str(out), "--db", str(sealed)]) == 0
    assert f"audit log: 9 entries, head {head[:16]} when approved" in capsys.readouterr().out
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["About"].iter_rows() if r[0].value}
    assert about["Audit log"] == f"audit log: 9 entries, head {head[:16]}"
    assert about["Check the audit log against this file"] == f"python -m pipelines audit --anchor 9:{head[:16]}"
    code, out_text, err = _audit(sealed, capsys, "--anchor", about["Audit log"])  # the words, as written
    assert code == 0, err
    assert "anchor audit log: 9 entries" in out_text and "matches the log" in out_text


def test_an_export_anchor_finds_newest_entries_removed_with_their_records(sealed, tmp_path, capsys):
    """Removing decision 2 with its lines and its two entries leaves a store consistent with
    itself: only an anchor kept elsewhere (an export made before) shows what went."""
    exported = tmp_path / "allocation.csv"
    assert main(["allocate", "--total", "10000", "--include-pending", "--out", str(exported), "--db", str(sealed)]) == 0
    capsys.readouterr()
    anchor = next(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))["Audit log"]
    assert anchor.startswith("audit log: 11 entries, head ")
    _write(
        sealed,
        "DELETE FROM audit_log WHERE seq >= 10",
        "DELETE FROM decision_lines WHERE decision_id = 2",
        "DELETE FROM decisions WHERE decision_id = 2",
    )
    assert _verdict(sealed).intact  # the limit: nothing in the store points past entry 9 any more
    code, _, err = _audit(sealed, capsys, "--anchor", anchor)
    assert code == 2
    assert "anchor does NOT match: the anchor 11:" in err and "ends at entry 9: entries were removed" in err


def test_an_anchor_whose_hash_differs_fails(sealed, capsys):
    code, _, err = _audit(sealed, capsys, "--anchor", "9:00000000")
    assert code == 2 and "entry 9's hash is" in err and "the log was rewritten" in err


def test_an_anchor_must_be_n_and_hex(sealed, capsys):
    code, _, err = _audit(sealed, capsys, "--anchor", "9:abc")
    assert code == 2 and "error: an anchor is N:HEX" in err and "not '9:abc'" in err
    assert audit_chain.parse_anchor("audit log: 12 entries, head 0123456789ABCDEF") == (12, "0123456789abcdef")


def test_the_meeting_pack_carries_the_anchor(sealed):
    con = duckdb.connect(str(sealed), read_only=True)
    try:
        pdf = meeting_pack.meeting_pack_pdf(
            con, AllocationSettings(total=10000, include_pending=True), produced=audit_chain.clock.utc_now()
        )
        head = audit_chain.anchor(con)
    finally:
        con.close()
    import pypdf

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"audit log: 11 entries, head {head.head[:16]}" in " ".join(text.split())


# --- the key -------------------------------------------------------------------------------------


def test_a_key_file_is_made_once_readable_by_its_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv("PARTNERSHIP_AUDIT_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert audit_key.load_key() is None
    made = audit_key.make_key()
    path = tmp_path / "config" / "partnership-funding" / "audit.key"
    assert made.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    assert audit_key.load_key() == made  # read back
    with pytest.raises(audit_key.AuditKeyProblem, match="a key is never replaced"):
        audit_key.make_key()
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY_FILE", str(path))
    assert audit_key.load_key().key_id == made.key_id  # the same key named by the variable


def test_a_short_key_is_refused():
    with pytest.raises(audit_key.AuditKeyProblem, match="too short"):
        audit_key._secret_from_text("short", "$PARTNERSHIP_AUDIT_KEY")


# --- stores from before the keyed seal ------------------------------------------------------------


def test_after_the_upgrade_an_old_scheme_rehash_is_found(previous, capsys):
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    assert _verdict(previous).intact
    _write(previous, "UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = 3")
    _rehash_from(previous, 3, OLD_RULE)
    code, _, err = _audit(previous, capsys)
    assert code == 2 and "the keyed chain breaks at entries 3-12" in err


def test_a_log_already_broken_before_the_upgrade_stays_reported(previous, capsys):
    _write(previous, "UPDATE audit_log SET actor = 'Mallory' WHERE seq = 2")  # no re-hash: the old rule sees it
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    upgrade = json.loads(_rows(previous, "SELECT evidence FROM audit_log ORDER BY seq DESC LIMIT 1")[0][0])
    assert upgrade["broken_before_seal"] == [2]
    code, _, err = _audit(previous, capsys)
    assert code == 2
    assert "entry 2 had already been changed when the log was sealed with the key" in err


def test_the_limit_an_old_log_rewritten_before_the_upgrade_is_sealed_as_it_stands(previous):
    """What the README says: entries from before the keyed seal are only as trustworthy as the
    store was at the upgrade. A rewrite by the old rule before it cannot be told afterwards."""
    _write(previous, "UPDATE audit_log SET actor = 'Mallory' WHERE seq = 2")
    _rehash_from(previous, 2, OLD_RULE)
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    assert _verdict(previous).intact


def test_an_old_decisions_lines_are_covered_from_the_upgrade_on(previous, capsys):
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    _write(
        previous,
        "UPDATE decision_lines SET amount = amount + 1000 WHERE decision_id = 1 AND partnership_code = "
        "(SELECT min(partnership_code) FROM decision_lines WHERE decision_id = 1)",
    )
    code, _, err = _audit(previous, capsys)
    assert code == 2 and "decision 1: its lines (the amounts per partnership) changed" in err


def test_an_old_decisions_lines_edited_before_the_upgrade_disagree_with_its_frozen_file(previous, capsys):
    """The log cannot say who moved £1,000 before the seal, but the verdict must not claim the
    lines match: they are compared with the frozen CSV at the upgrade and at every audit."""
    codes = [
        r[0]
        for r in _rows(
            previous,
            "SELECT partnership_code FROM decision_lines WHERE decision_id = 1 AND amount >= 1000 ORDER BY partnership_code",
        )
    ]
    first, last = codes[0], codes[-1]
    move = "UPDATE decision_lines SET amount = amount + $1 WHERE decision_id = 1 AND partnership_code = $2"
    _write(previous, move, params=[-1000, first])
    _write(previous, move, params=[1000, last])
    assert db.bring_sql_up_to_date(previous, seal_legacy=True)
    upgrade = json.loads(_rows(previous, "SELECT evidence FROM audit_log WHERE action = 'upgrade'")[0][0])
    assert sorted(upgrade["files_disagree_before_seal"]) == ["1"]
    code, out, err = _audit(previous, capsys)
    assert code == 2 and "intact" not in out
    assert "decision 1: its lines do not match its frozen CSV" in err and first in err and last in err


# --- the dashboard -------------------------------------------------------------------------------


def test_the_data_page_names_what_broke(sealed, monkeypatch):
    _write(sealed, "DELETE FROM audit_log WHERE seq > 9")
    app = open_page(sealed, monkeypatch, "data")
    said = " ".join(e.value for e in app.error).replace("\\", "")
    assert "The audit log or the decisions have been changed outside this tool" in said
    assert "no audit entry for decision 2 (Second), supersession of decision 1" in said


def test_the_data_page_says_in_red_when_the_key_is_another(sealed, monkeypatch):
    monkeypatch.setenv("PARTNERSHIP_AUDIT_KEY", "another-installation-key-0000000000")
    app = open_page(sealed, monkeypatch, "data")
    assert any("cannot be verified here" in e.value.replace("\\", "") for e in app.error)
    assert not any("audit" in w.value.lower() for w in app.warning)
