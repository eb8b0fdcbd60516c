"""What the Plan page tells the planner as it works (AppTest): Year 10 learners a change leaves
outside funded partnerships, before and after, with a warning when they rise; the best plan's
progress round by round; a link to a plan whose roster has since been loaded; and what each
page's gap count counts, so 9, 31 and 37 on one map are not three answers to one question."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from test_dashboard import AS_OF, OFFICER, fresh_caches, open_page  # noqa: F401 - fixtures
from test_plan_best import conflict_store  # noqa: F401 - fixture

from pipelines.base import config
from pipelines.datasets.build_default import build
from pipelines.rules import allocate, plan, plan_best, plan_file, plan_gap_tally
from pipelines.store import db

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
    assert any("The draft puts more Year 10 learners in no funded partnership" in w and "380 with the draft" in w for w in warned)
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


def test_the_best_plan_shows_its_progress_and_warns_when_learners_end_outside(conflict_store, monkeypatch):  # noqa: F811
    """Iota (80) is in North (funded) and South (pending); the best plan settles it in one
    partnership that is not funded and moves Zeta and Kappa to unfunded ones: 380 outside
    before, 420 after."""
    app = open_page(conflict_store, monkeypatch, "plan")
    app.button(key="plan_apply_best").click().run()
    assert not app.exception, [e.message for e in app.exception]
    con = db.connect_read_only(conflict_store)
    try:
        best = plan_best.best_plan(con, as_of=dt.date.fromisoformat(AS_OF))
    finally:
        con.close()
    assert plan.from_link(app.query_params["plan"])[0] == best.changes
    (status,) = app.status
    assert status.state == "complete"
    assert status.label.startswith("Best plan worked out in ") and status.label.endswith(best.summary())
    (bar,) = status.get("progress")
    assert bar.value == 100
    assert bar.text.startswith(f"Round {best.rounds}: {best.closed} of {best.addressed} gaps closed so far, 0 still being tried")
    warned = [w.value for w in app.warning]
    assert any("rise from 380 to 420 with the best plan" in w for w in warned), warned
    assert (_outside_metric(app).value, _outside_metric(app).delta) == ("420", "+40")
    # Again from the same draft: the plan held since is given at once (its progress not replayed).
    app.button(key="plan_discard").click().run()
    app.button(key="plan_apply_best").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert plan.from_link(app.query_params["plan"])[0] == best.changes
    assert app.status[0].label == f"Best plan worked out before, for this draft: {best.summary()}"


def test_the_best_plan_reports_each_round(conflict_store):  # noqa: F811
    seen: list[plan_best.Progress] = []
    con = db.connect_read_only(conflict_store)
    try:
        best = plan_best.best_plan(con, as_of=dt.date.fromisoformat(AS_OF), progress=seen.append)
    finally:
        con.close()
    assert [p.rounds for p in seen] == [*range(1, best.rounds + 1), best.rounds]  # each round, then the end
    assert seen[0].closed == 0 and seen[0].trying > 0 and seen[0].fraction() < 1
    assert (seen[-1].closed, seen[-1].addressed, seen[-1].trying) == (best.closed, best.addressed, 0)
    assert seen[-1].fraction() == 1.0 and seen[-1].changes == best.rows.height


def test_the_figures_handed_in_and_back_are_those_worked_out_afresh(conflict_store):  # noqa: F811
    """What the page already has is handed in, and what the last round worked out is handed back
    for the page to show next; the plan and the figures are the same as when worked out afresh."""
    as_of = dt.date.fromisoformat(AS_OF)
    con = db.connect_read_only(conflict_store)
    try:
        census = allocate.default_census(con, as_of=as_of)["census_date"]
        settings = {"as_of": as_of, "census_date": census}
        alone = plan_best.best_plan(con, as_of=as_of)
        handed = plan_best.WorkedOut(
            census, None, allocate.coverage_gaps(con, **settings), allocate.membership_suggestions(con, **settings)
        )
        given = plan_best.best_plan(con, worked_out=handed, **settings)
        final = given.final
        assert final is not None and final.suggestions is not None and final.census_date == census
        assert (given.changes, given.unclosed, given.summary()) == (alone.changes, alone.unclosed, alone.summary())
        assert final.gaps.equals(allocate.coverage_gaps(con, changes=given.changes, **settings))
        assert final.suggestions.equals(allocate.membership_suggestions(con, changes=given.changes, **settings))
        assert final.roster is not None and final.roster.equals(plan.proposed_roster(con, given.changes, as_of))
    finally:
        con.close()


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
    assert any(c.startswith("32 gaps a membership change could close, 31 with suggestions below.") for c in plan_captions)
    why = tally.why_they_differ()
    assert why in plan_captions
    assert "the Overview 9 schools" in why and "the Plan page 32 gaps" in why and "Coverage gaps 37 gap rows" in why
    app.switch_page("app_pages/gaps.py").run()
    assert "37 gap rows shown" in app.markdown[0].value
    assert why in [c.value.replace("\\", "") for c in app.caption]


@pytest.mark.slow
def test_the_best_plan_on_the_default_data_leaves_no_school_in_two_partnerships(default_store, monkeypatch):
    """The report's case through the page: the best plan once left Hellesdon High and Ormiston
    Victory in DC-WENSUM and LOC8 and doubled the Year 10 outside funded partnerships."""
    app = open_page(default_store, monkeypatch, "plan", asof="2018-09-01")
    app.button(key="plan_apply_best").click().run()
    assert not app.exception, [e.message for e in app.exception]
    drafted = plan.from_link(app.query_params["plan"])[0]
    con = duckdb.connect(str(default_store), read_only=True)
    try:
        after = allocate.coverage_gaps(con, changes=drafted)
    finally:
        con.close()
    assert drafted and after.filter(pl.col("code") == "school_multiple").height == 0
    counts = next(d.value for d in app.dataframe if "Gap code" in d.value.columns and "Draft" in d.value.columns)
    assert counts.loc[counts["Gap code"] == "school_multiple", "Draft"].tolist() == [0]
    metric = _outside_metric(app)
    assert float(metric.value) < 172.5 and metric.delta.startswith("-")
    assert not [w.value for w in app.warning if "rise from" in w.value]
    assert app.status[0].label.startswith("Best plan worked out in ")
