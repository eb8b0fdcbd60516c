"""Membership plans at the edges: a roster that names a member the register has dropped, and a
school that is both in two partnerships and a travel outlier (two gaps asking for one change)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
from conftest import SMALL

from pipelines.cli.main import main
from pipelines.datasets.build_default import build
from pipelines.rules import allocate, plan, plan_file
from pipelines.store import db

AS_OF = dt.date(2025, 9, 1)
C = plan.PlanChange


def _with_unknown_member(store: Path) -> None:
    writer = duckdb.connect(str(store))
    writer.execute("INSERT INTO memberships VALUES ('P2', 123456, 'full', '2009-09-01', NULL, 'register since changed')")
    writer.close()


def test_removing_an_unknown_member_takes_it_off_the_map(store):
    _with_unknown_member(store)
    changes = (C("remove", "P2", 123456),)  # the member_unknown suggestion
    con = db.connect_read_only(store)
    try:
        assert plan.problems(con, changes, AS_OF) == []
        roster = plan.proposed_roster(con, changes, AS_OF)
        gaps = allocate.coverage_gaps(con, as_of=AS_OF, changes=changes)
    finally:
        con.close()
    in_force = roster.filter((pl.col("member_id") == 123456) & (pl.col("left").is_null() | (pl.col("left") >= AS_OF)))
    assert in_force.height == 0
    assert gaps.filter(pl.col("code") == "member_unknown").height == 0


def test_a_plan_that_removes_an_unknown_member_can_be_loaded(store):
    _with_unknown_member(store)
    result = plan_file.load_plan(store, (C("remove", "P2", 123456),), AS_OF, "Test Officer")
    assert not result.skipped
    con = db.connect_read_only(store)
    try:
        gaps = allocate.coverage_gaps(con, as_of=AS_OF)
    finally:
        con.close()
    assert gaps.filter(pl.col("code") == "member_unknown").height == 0


def _two_partnership_store(tmp_path: Path) -> Path:
    folder = tmp_path / "multiple"
    shutil.copytree(SMALL, folder)
    with open(folder / "roster.csv", "a") as handle:
        handle.write("P1,North Partnership,100006,full,2012-09-01,\nP2,South Partnership,100006,full,2012-09-01,\n")
    store = tmp_path / "multiple.duckdb"
    build(store, folder)
    return store


def test_an_outlier_is_never_moved_into_a_partnership_it_is_already_in(tmp_path):
    store = _two_partnership_store(tmp_path)  # Zeta: full member of P1 and P2, nearer P2's centre
    con = db.connect_read_only(store)
    try:
        found = allocate.membership_suggestions(con, as_of=AS_OF)
        zeta = found.filter(pl.col("gap_institution_id") == 100006)
        outlier = zeta.filter(pl.col("gap_code") == "travel_outlier")
        assert outlier.filter((pl.col("change") == "add") & (pl.col("partnership_code") == "P2")).height == 0
        keep = zeta.filter((pl.col("gap_code") == "school_multiple") & (pl.col("rank") == 1))
        assert keep.select("change", "partnership_code").rows() == [("remove", "P1")]  # keep the nearer centre
        changes = tuple(C(r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in keep.iter_rows(named=True))
        assert plan.problems(con, changes, AS_OF) == []
        after = allocate.coverage_gaps(con, as_of=AS_OF, changes=changes)
    finally:
        con.close()
    assert (
        after.filter(pl.col("institution_id") == 100006)
        .filter(pl.col("code").is_in(["school_multiple", "travel_outlier"]))
        .height
        == 0
    )


def test_suggest_best_is_a_plan_the_plan_command_takes(tmp_path, capsys):
    store = _two_partnership_store(tmp_path)
    suggestions = tmp_path / "suggestions.csv"
    assert main(["suggest", "--best", "--out", str(suggestions), "--db", str(store), "--as-of", AS_OF.isoformat()]) == 0
    capsys.readouterr()
    code = main(["plan", "--changes", str(suggestions), "--db", str(store), "--as-of", AS_OF.isoformat()])
    assert code == 0, capsys.readouterr().err
