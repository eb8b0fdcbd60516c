"""What the Plan page tells the planner as it works (AppTest): Year 10 learners a change leaves
outside funded partnerships, before and after, with a warning when they rise; a link to a plan whose roster has since been loaded; and what each
page's gap count counts, so 9, 31 and 37 on one map are not three answers to one question."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from test_dashboard import AS_OF, OFFICER, fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines import allocate, config, plan, plan_file, plan_gap_tally
from pipelines.build_default import build

ALPHA, ZETA = 100001, 100006  # Alpha: in North (P1, accredited); Zeta: in no partnership
OUTSIDE = "Year 10 learners in no funded partnership"


def _add_by_hand(app, change: str, partnership: str, member: int) -> None:
    app.selectbox(key="plan_form_change").set_value(change).run()
    next(s for s in app.selectbox if s.label == "Partnership").set_value(partnership)
    next(s for s in app.selectbox if s.label == "Member").set_value(member)
    next(b for b in app.button if b.label == "Add to the draft").click().run()
    assert not app.exception, [e.message for e in app.exception]


def _outside_metric(app):
    return next(m for m in app.metric if m.label == OUTSIDE)


def test_a_change_that_takes_learners_out_of_funded_partnerships_is_warned(store, monkeypatch):
    # Small store: North (P1) is funded, South (P2) pending; Beta (200) in South and Zeta (80) in
    # none are outside: 280. Alpha (100) leaving North puts it outside too: 380.
    app = open_page(store, monkeypatch, "plan")
    _add_by_hand(app, "remove", "P1", ALPHA)
    assert plan.from_link(app.query_params["plan"])[0] == (plan.PlanChange("remove", "P1", ALPHA),)
    warned = [w.value for w in app.warning]
    assert any("rise from 280 to 380 with this change" in w for w in warned), warned
    assert any("more Year 10 learners outside funded partnerships" in w and "380 with the draft" in w for w in warned)
    metric = _outside_metric(app)
    assert (metric.value, metric.delta) == ("380", "+100")
    assert any(c.value == "280 on the loaded rosters, 380 with the draft." for c in app.caption)


def test_a_change_that_brings_learners_in_says_so_without_a_warning(store, monkeypatch):
    app = open_page(store, monkeypatch, "plan")
    _add_by_hand(app, "add", "P1", ZETA)  # Zeta (80) joins funded North: 200 left outside
    assert not [w.value for w in app.warning if "outside" in w.value or "rise" in w.value]
    metric = _outside_metric(app)
    assert (metric.value, metric.delta) == ("200", "-80")
    assert any(c.value == "280 on the loaded rosters, 200 with the draft." for c in app.caption)


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


def test_a_suggestion_clicked_beside_a_loaded_plan_starts_a_new_draft(store, monkeypatch):
    link = plan.to_link([plan.PlanChange("remove", "P1", ALPHA)])
    plan_file.load_plan(store, plan.from_link(link)[0], dt.date.fromisoformat(AS_OF), OFFICER)
    app = open_page(store, monkeypatch, "plan", plan=link)
    alpha = next(b for b in app.button if b.key and b.key.startswith(f"plan_apply_school_uncovered||{ALPHA}|1"))
    alpha.click().run()
    assert not [e.value for e in app.error]
    (change,) = plan.from_link(app.query_params["plan"])[0]  # the new change alone, not the loaded plan's too
    assert (change.change, change.member_id) == ("add", ALPHA)
    assert any("Draft membership plan: 1 change." in i.value.replace("\\", "") for i in app.sidebar.info)


def test_a_plan_only_partly_in_force_is_still_said_not_to_fit(store, monkeypatch):
    loaded = [plan.PlanChange("add", "P2", ZETA, "full")]
    plan_file.load_plan(store, loaded, dt.date.fromisoformat(AS_OF), OFFICER)
    link = plan.to_link([*loaded, plan.PlanChange("remove", "P2", 100004)])  # Delta is still in South
    app = open_page(store, monkeypatch, "allocation", plan=link)
    assert any("does not fit the loaded data" in e.value for e in app.sidebar.error)
    assert not [i for i in app.sidebar.info if "already loaded" in i.value]


# --- what each page's gap count counts, on the default data (the map of the report) ----------


@pytest.fixture(scope="module")
def default_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("default") / "default.duckdb"
    build(path, config.DEFAULT_DATA_DIR)
    return path


def test_the_three_gap_counts_say_what_they_count(default_store, monkeypatch):
    con = duckdb.connect(str(default_store), read_only=True)
    try:
        gaps = allocate.coverage_gaps(con)
        tally = plan_gap_tally.gap_tally(con, gaps)
        figures = allocate.overview_figures(con)
    finally:
        con.close()
    # The report's 9, 31 and 37, each with what it counts.
    assert (tally.schools_uncovered + tally.schools_in_several, figures["schools_not_covered"]) == (9, 9)
    assert (tally.closable, tally.gap_rows) == (32, 37)
    assert gaps.filter(pl.col("code") == "school_multiple").height == 8  # 4 schools, a row per partnership

    app = open_page(default_store, monkeypatch, None, asof="2018-09-01")
    overview = [c.value.replace("\\", "") for c in app.caption]
    assert any(c.startswith("9 schools in no partnership or in several (5 in none, 4 in several).") for c in overview)
    app.switch_page("app_pages/plan.py").run()
    plan_captions = [c.value.replace("\\", "") for c in app.caption]
    assert any(
        c.startswith("32 gaps a membership change could close: 31 with suggestions below, 1 with none") for c in plan_captions
    )
    why = tally.why_they_differ()
    assert why in plan_captions
    assert "the Overview 9 schools" in why and "the Plan page 32 gaps" in why and "Coverage gaps 37 gap rows" in why
    app.switch_page("app_pages/gaps.py").run()
    assert "37 gap rows shown" in app.markdown[0].value
    assert why in [c.value.replace("\\", "") for c in app.caption]
