"""The Scenarios and Decisions pages, review flags and the audit log, run headless with AppTest:
save from the Allocation page, compare, approve as a data officer, download the frozen bytes,
and see the banner once the data has moved on."""

from __future__ import annotations

import duckdb
from test_dashboard import AS_OF, OFFICER, downloads, fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.ingest.load import Upload, load
from pipelines.outputs import records
from pipelines.store import db

LINK = {"total": "10000", "pending": "1", "asof": AS_OF}


def _audit(store):
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.sql(db.read_sql("reports/audit_log.sql")).pl()
    finally:
        con.close()


def test_saving_a_scenario_from_the_allocation_page(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **{k: v for k, v in LINK.items() if k != "asof"})
    form_inputs = [t for t in app.text_input if t.label in ("Name", "Saved by")]
    form_inputs[0].input("Pending included")
    form_inputs[1].input("Chair of the Group")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Saved as scenario 1" in s.value for s in app.success)
    saved = _audit(store).row(0, named=True)
    assert (saved["action"], saved["actor"]) == ("scenario_save", "Chair of the Group")


def test_comparing_two_scenarios_shows_exact_differences(store, monkeypatch):
    records.save_scenario(store, "Ten thousand", LINK, "Chair")
    records.save_scenario(store, "Twenty thousand", {**LINK, "total": "20000"}, "Chair")
    app = open_page(store, monkeypatch, "scenarios")
    assert list(app.dataframe[0].value["Name"]) == ["Twenty thousand", "Ten thousand"]
    app.multiselect(key="compare_pick").set_value([1, 2]).run()
    table = app.dataframe[1].value
    assert list(table["Code"]) == ["P1", "P2"]
    assert list(table["#1 Ten thousand: amount"]) == [3750.0, 6250.0]
    assert list(table["change #2 Twenty thousand vs #1 Ten thousand: amount"]) == [3750.0, 6250.0]
    assert len(app.get("vega_lite_chart")) == 1


def test_approving_needs_a_data_officer(store, monkeypatch):
    records.save_scenario(store, "Ten thousand", LINK, "Chair")
    app = open_page(store, monkeypatch, "scenarios")
    assert any("Approving needs sign-in" in i.value for i in app.info)
    assert not [b for b in app.button if b.label == "Approve and freeze"]
    viewer = open_page(store, monkeypatch, "scenarios", auth=True, user={"is_logged_in": True, "email": "head@school.example"})
    assert any("not a data officer" in i.value for i in viewer.info)


def test_an_officer_approves_and_finance_downloads_the_frozen_bytes(store, monkeypatch, downloads):  # noqa: F811 - the fixture
    records.save_scenario(store, "Ten thousand", LINK, "Chair")
    officer = {"is_logged_in": True, "email": OFFICER}
    app = open_page(store, monkeypatch, "scenarios", auth=True, user=officer)
    next(b for b in app.button if b.label == "Approve and freeze").click().run()
    assert any("Approved as decision 1" in s.value for s in app.success), [e.value for e in app.error]
    page = open_page(store, monkeypatch, "decisions", d="1")
    assert "Decision 1: Ten thousand" in page.header[0].value
    assert any("Total £10,000.00** equals the approved pot" in m.value for m in page.markdown)
    con = duckdb.connect(str(store), read_only=True)
    stored = con.execute("SELECT csv_file_name, csv_bytes, xlsx_file_name, xlsx_bytes FROM decisions").fetchone()
    con.close()
    assert downloads[stored[0]] == stored[1] and downloads[stored[2]] == stored[3]
    assert not page.error  # no superseded-data banner: nothing has been loaded since


def test_the_decision_page_shows_superseded_data_after_a_new_census(store, monkeypatch, tmp_path):
    records.approve(store, LINK, title="2025/26", approved_by=OFFICER)
    census = tmp_path / "census_update.csv"
    census.write_text("urn,census_date,nc_year,headcount\n100001,2025-01-16,10,150\n")
    load(Upload.from_path("census", census), store)
    page = open_page(store, monkeypatch, "decisions")
    assert "Superseded data: 1 file(s)" in page.error[0].value
    assert list(page.dataframe[0].value["File"]) == ["census_update.csv"]
    records.approve(store, {**LINK, "total": "12000"}, title="2025/26 revised", approved_by=OFFICER)
    older = open_page(store, monkeypatch, "decisions", d="1")
    assert "superseded by decision 2" in older.warning[0].value


def test_review_due_is_flagged_on_the_overview_and_the_partnership(store, monkeypatch):
    overview = open_page(store, monkeypatch)
    lines = [w.value for w in overview.warning if "review" in w.value]
    assert lines == ["Accreditation review due or overdue for 1 partnership(s)."]  # one line, not a banner each
    listed = next(d.value for d in overview.dataframe if "Review" in d.value.columns)
    assert list(listed["Partnership"]) == ["North Partnership"]
    assert "overdue since 1 June 2025" in listed["Review"][0]
    partnership = open_page(store, monkeypatch, "partnerships", p="P1")
    assert any("review due or overdue for 1" in w.value for w in partnership.warning)
    other = open_page(store, monkeypatch, "partnerships", p="P2")
    assert not any("review" in w.value for w in other.warning)


def test_an_officer_records_an_accreditation_decision_through_the_loader(store, monkeypatch):
    officer = {"is_logged_in": True, "email": OFFICER}
    app = open_page(store, monkeypatch, "partnerships", auth=True, user=officer, p="P2")
    app.selectbox[1].set_value("accredited")
    next(b for b in app.button if b.label == "Record the decision").click().run()
    assert any("Recorded: South Partnership accredited" in s.value for s in app.success), [e.value for e in app.error]
    entry = _audit(store).row(0, named=True)
    assert (entry["action"], entry["actor"], entry["subject"]) == ("accreditation_change", OFFICER, "accreditation")


def test_the_data_page_shows_the_audit_log_and_its_chain(store, monkeypatch, downloads):  # noqa: F811 - the fixture
    records.save_scenario(store, "A", LINK, "Chair")
    app = open_page(store, monkeypatch, "data")
    audit = next(d.value for d in app.dataframe if "entry_hash" in d.value.columns)
    assert audit["action"].iloc[0] == "scenario_save"
    assert any("Audit log intact: 8 entries, each sealed with the audit key" in c.value for c in app.caption)
    assert downloads["audit_log.csv"].decode("utf-8-sig").startswith("Entry,Recorded at,Who,Action")


def test_delete_asks_first_and_deletes_the_scenario_that_was_on_screen(store, monkeypatch):
    records.save_scenario(store, "Keep me", LINK, "Chair")
    records.save_scenario(store, "Bin me", {**LINK, "total": "20000"}, "Chair")
    app = open_page(store, monkeypatch, "scenarios")
    app.selectbox(key="scenario_pick").set_value(2).run()
    app.button(key="scenario_delete").click().run()
    assert any("Delete #2 Bin me?" in w.value.replace("\\", "") for w in app.warning)  # Markdown escapes removed
    assert _scenario_names(store) == ["Bin me", "Keep me"]  # nothing deleted before the confirmation
    app.selectbox(key="scenario_pick").set_value(1).run()  # the picker moves on; the question stays bound to #2
    app.button(key="scenario_delete_yes").click().run()
    assert _scenario_names(store) == ["Keep me"]
    assert any("Deleted #2 Bin me" in s.value.replace("\\", "") for s in app.success)


def test_deleting_a_scenario_someone_else_deleted_deletes_nothing_else(store, monkeypatch):
    records.save_scenario(store, "Keep me", LINK, "Chair")
    records.save_scenario(store, "Gone", {**LINK, "total": "20000"}, "Chair")
    app = open_page(store, monkeypatch, "scenarios")
    app.selectbox(key="scenario_pick").set_value(2).run()
    app.button(key="scenario_delete").click().run()
    records.delete_scenario(store, 2, "someone else")
    app.button(key="scenario_delete_yes").click().run()
    assert _scenario_names(store) == ["Keep me"]
    assert any("already deleted" in e.value for e in app.error)


def test_a_failed_save_keeps_what_was_typed(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", **{k: v for k, v in LINK.items() if k != "asof"})
    app.text_input(key="scenario_name").input("My careful name")
    next(b for b in app.button if b.label == "Save scenario").click().run()  # nobody said who saves it
    assert any("say who is saving" in e.value for e in app.error)
    assert app.text_input(key="scenario_name").value == "My careful name"
    app.text_input(key="scenario_saved_by").input("Chair")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Saved as scenario 1" in s.value for s in app.success)
    assert app.text_input(key="scenario_name").value == ""


def test_the_overview_and_the_allocation_agree_on_year10(store, monkeypatch):
    """One rule for every figure: the funded Year 10 is the same number on both pages, and the
    figure of all partnerships is labelled as such."""
    overview = open_page(store, monkeypatch, **LINK)
    funded = {m.label: m.value for m in overview.metric}["Year 10, funded"]
    allocation = open_page(store, monkeypatch, "allocation", **LINK)
    caption = next(c.value for c in allocation.caption if "Year 10 in funded partnerships" in c.value)
    assert f"Year 10 in funded partnerships: {funded} " in caption
    assert "in all partnerships, funded or not" in caption


def _scenario_names(store) -> list[str]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT name FROM scenarios ORDER BY name").fetchall()]
    finally:
        con.close()
