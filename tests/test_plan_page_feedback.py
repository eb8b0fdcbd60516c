"""What the Plan page tells the planner as it works (AppTest): a link to a plan whose roster has
since been loaded says so."""

from __future__ import annotations

import datetime as dt

from test_dashboard import AS_OF, OFFICER, fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines import plan, plan_file

ALPHA, ZETA = 100001, 100006  # Alpha: in North (P1, accredited); Zeta: in no partnership


def test_a_link_to_a_plan_whose_roster_was_loaded_says_it_is_already_loaded(store, monkeypatch):
    link = plan.to_link([plan.PlanChange("add", "P2", ZETA, "full"), plan.PlanChange("remove", "P1", ALPHA)])
    plan_file.load_plan(store, plan.from_link(link)[0], dt.date.fromisoformat(AS_OF), OFFICER)
    app = open_page(store, monkeypatch, "plan", plan=link)
    notes = [i.value for i in app.sidebar.info]
    assert any("This plan is already loaded" in n and "its 2 changes are on the loaded rosters" in n for n in notes), notes
    assert not [e.value for e in app.sidebar.error] and not [e.value for e in app.error]
    assert any("This plan is already loaded" in i.value for i in app.info)
    app.button(key="sc_discard_plan").click().run()
    assert "plan" not in app.query_params and not [i for i in app.sidebar.info if "already loaded" in i.value]


def test_a_plan_only_partly_in_force_is_still_said_not_to_fit(store, monkeypatch):
    loaded = [plan.PlanChange("add", "P2", ZETA, "full")]
    plan_file.load_plan(store, loaded, dt.date.fromisoformat(AS_OF), OFFICER)
    link = plan.to_link([*loaded, plan.PlanChange("remove", "P2", 100004)])  # Delta is still in South
    app = open_page(store, monkeypatch, "allocation", plan=link)
    assert any("does not fit the loaded data" in e.value for e in app.sidebar.error)
    assert not [i for i in app.sidebar.info if "already loaded" in i.value]
