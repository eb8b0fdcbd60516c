"""The Plan page headless (AppTest) on the small store: a suggestion applied with one click
becomes the session's draft, every page and the link carry it, the side-by-side tables show its
effect, a link whose plan no longer fits says so, and only a data officer's approval loads it."""

from __future__ import annotations

import csv
import io
import json

import duckdb
from test_dashboard import AS_OF, OFFICER, downloads, fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.rules import links, plan

ZETA = 100006  # Zeta High School, Easttown: open, in no partnership; nearer South (P2) than North (P1)
WBL = 10000002  # Work Ready Training Ltd: an associate of P2 only


def _button(app, prefix: str, label_part: str):
    return next(b for b in app.button if b.key and b.key.startswith(prefix) and label_part in b.label)


def _frame(app, column: str):
    return next(d.value for d in app.dataframe if column in d.value.columns)


def _roster(store) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(
            "SELECT partnership_code, institution_id, role, joined_on, left_on FROM memberships ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_one_click_applies_a_suggestion_to_the_whole_scenario(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan", total="10000", pending="1")
    zeta = next(b for b in app.button if b.key and b.key.startswith(f"plan_apply_school_uncovered||{ZETA}|1"))
    assert zeta.label.startswith("Join South Partnership")  # the nearer centre is rank 1
    zeta.click().run()
    assert not app.exception
    assert json.loads(app.query_params["plan"]) == [["add", "P2", ZETA, "full"]]
    assert any("Draft membership plan: 1 change" in i.value.replace("\\", "") for i in app.sidebar.info)
    counts = _frame(app, "Gap")
    uncovered = counts.loc[counts["Gap code"] == "school_uncovered"].iloc[0]
    assert (uncovered["Loaded"], uncovered["Draft"], uncovered["Change"]) == (1, 0, -1)
    money = _frame(app, "Draft (£)")
    assert money["Loaded (£)"].sum() == money["Draft (£)"].sum() == 10000.0
    # Zeta's Year 10 now counts for South: its share of the pot grows.
    south = money.loc[money["Code"] == "P2"].iloc[0]
    assert south["Change (£)"] > 0 and south["Year 10 draft"] > south["Year 10 loaded"]
    # The same scenario on another page: Overview counts every school covered.
    app.switch_page("app_pages/overview.py").run()
    assert {m.label: m.value for m in app.metric}["Schools covered"] == "5 of 5"
    assert json.loads(app.query_params["plan"]) == [["add", "P2", ZETA, "full"]]
    assert _roster(store) == _roster(store)  # the store file was only read


def test_the_best_for_every_gap_and_taking_changes_out(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan")
    app.button(key="plan_apply_best").click().run()
    drafted = plan.from_link(app.query_params["plan"])[0]
    assert plan.PlanChange("add", "P2", ZETA, "full") in drafted
    assert any(c.member_id == WBL and c.change == "add" for c in drafted)  # the provider joins too
    table = _frame(app, "Member")
    assert len(table) == len(drafted)
    app.button(key="plan_discard").click().run()
    assert "plan" not in app.query_params
    assert any("No changes yet" in i.value for i in app.info)


def test_a_plan_added_by_hand_is_checked_before_the_draft_takes_it(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan")
    app.selectbox(key="plan_form_change").set_value("remove").run()
    form_boxes = [s for s in app.selectbox if s.label == "Partnership"]
    form_boxes[0].set_value("P1")
    next(s for s in app.selectbox if s.label == "Member").set_value(100002)  # Beta is in South, not North
    next(b for b in app.button if b.label == "Add to the draft").click().run()
    assert "plan" not in app.query_params
    assert any("was not added" in e.value and "not on that roster" in e.value for e in app.error), [e.value for e in app.error]


def test_a_shared_link_with_a_plan_opens_on_the_draft_and_marks_the_export(store, monkeypatch, downloads):  # noqa: F811
    link = links.to_query(
        links.from_query({"total": "10000", "pending": "1", "plan": plan.to_link([plan.PlanChange("add", "P2", ZETA, "full")])})[
            0
        ]
    )
    app = open_page(store, monkeypatch, "allocation", **link)
    assert "equals the pot" in app.success[0].value
    name = next(k for k in downloads if k.endswith(".csv"))
    assert name.startswith("DRAFT-PLAN_allocation_total-10000")
    rows = list(csv.DictReader(io.StringIO(downloads[name].decode("utf-8-sig"))))
    assert all(r["Membership plan (DRAFT, not loaded)"] == f"add {ZETA} to P2 as full member" for r in rows)


def test_a_link_whose_plan_does_not_fit_the_data_is_set_aside_with_the_reason(store, monkeypatch):
    stale = plan.to_link([plan.PlanChange("remove", "P1", 100002)])
    app = open_page(store, monkeypatch, "allocation", total="10000", plan=stale)
    assert not app.exception
    assert any("does not fit the loaded data" in e.value and "not on that roster" in e.value for e in app.sidebar.error)
    assert "equals the pot" in app.success[0].value  # the loaded rosters' figures, not a crash


def test_only_a_data_officer_approves_and_then_the_roster_is_loaded(store, monkeypatch):
    drafted = plan.to_link([plan.PlanChange("add", "P2", ZETA, "full")])
    before = _roster(store)
    viewer = open_page(
        store, monkeypatch, "plan", auth=True, user={"is_logged_in": True, "email": "head@school.example"}, plan=drafted
    )
    assert not [b for b in viewer.button if b.key == "plan_approve"]
    assert any("not a data officer" in i.value and "--load" in i.value for i in viewer.info)
    assert _roster(store) == before
    officer = open_page(store, monkeypatch, "plan", auth=True, user={"is_logged_in": True, "email": OFFICER}, plan=drafted)
    officer.button(key="plan_approve").click().run()
    assert not officer.exception
    assert any("roster is loaded" in s.value for s in officer.success), [s.value for s in officer.success]
    after = _roster(store)
    assert set(after) - set(before) == {("P2", ZETA, "full", _as_of(), None)}
    assert "plan" not in officer.query_params  # the draft is now the loaded map
    con = duckdb.connect(str(store), read_only=True)
    try:
        actor, action, subject = con.execute("SELECT actor, action, subject FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        con.close()
    assert (actor, action, subject) == (OFFICER, "load", "roster")


def _as_of():
    import datetime as dt

    return dt.date.fromisoformat(AS_OF)


def test_a_draft_saved_as_a_scenario_reopens_and_compares_like_any_other(store, monkeypatch):
    from pipelines.outputs import records

    drafted = plan.to_link([plan.PlanChange("add", "P2", ZETA, "full")])
    app = open_page(store, monkeypatch, "plan", total="10000", pending="1", plan=drafted)
    form_inputs = [t for t in app.text_input if t.label in ("Name", "Saved by")]
    form_inputs[0].input("Zeta joins South")
    form_inputs[1].input("Chair of the Group")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Saved as scenario 1" in s.value for s in app.success)
    records.save_scenario(store, "As loaded", {"total": "10000", "pending": "1", "asof": AS_OF}, "Chair")
    scenarios = open_page(store, monkeypatch, "scenarios")
    assert any("draft membership plan of 1 change" in v for v in scenarios.dataframe[0].value["Settings"])
    scenarios.multiselect(key="compare_pick").set_value([2, 1]).run()
    table = scenarios.dataframe[1].value
    change = table["change #1 Zeta joins South vs #2 As loaded: amount"]
    assert change.sum() == 0 and change[table["Code"] == "P2"].iloc[0] > 0  # money moves to South, the pot is the same
    scenarios.selectbox(key="scenario_pick").set_value(1).run()
    assert any(link.label == "Open its membership plan on the Plan page" for link in scenarios.get("page_link"))


def test_a_new_partnership_made_by_hand_starts_with_its_first_member(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan")
    app.selectbox(key="plan_form_change").set_value("create").run()
    next(t for t in app.text_input if t.label == "New partnership code").input("EAST")
    next(t for t in app.text_input if t.label == "Name").input("East Partnership")
    next(s for s in app.selectbox if s.label == "First member").set_value(ZETA)
    next(b for b in app.button if b.label == "Add to the draft").click().run()
    assert not app.exception
    assert json.loads(app.query_params["plan"]) == [
        ["create", "EAST", None, None, "East Partnership"],
        ["add", "EAST", ZETA, "full"],
    ]
    counts = _frame(app, "Gap")
    assert counts.loc[counts["Gap code"] == "school_uncovered"].iloc[0]["Draft"] == 0
    assert counts.loc[counts["Gap code"] == "partnership_no_college"].iloc[0]["Draft"] == 1  # the new one has none
