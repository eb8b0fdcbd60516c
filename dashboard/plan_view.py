"""The Plan page's parts that do more than lay out: adding changes (checked against the data
before the draft takes them) and the loaded map beside the draft."""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal

import polars as pl
import streamlit as st

from dashboard import plan_tables, queries, state, tables
from dashboard.formatting import MISSING, count, plain
from pipelines.base import free_text
from pipelines.base.money import pounds
from pipelines.base.refusals import PlanRefused
from pipelines.rules import plan_best
from pipelines.rules.allocate import AllocationSettings
from pipelines.rules.plan import PlanChange

ERRORS, NOTES, WARNINGS = "plan_message_errors", "plan_message_notes", "plan_message_warnings"
OUTSIDE = "Year 10 learners in no funded partnership"
BEST = "plan_best_outcome"  # the draft the best plan made, and the gaps it left open and opened
CHANGED = "changed by the plan"  # what the draft's map draws the members the plan changes as
HIGHLIGHT = "background-color: #FFF1C2; font-weight: 600"
CHANGE_KINDS = {
    "add": "Add a member",
    "remove": "Remove a member",
    "create": "Create a partnership",
    "rename": "Rename a partnership",
    "merge": "Merge a partnership into another",
}


def _draft() -> tuple[PlanChange, ...]:
    """The draft that changes add to: none when the session's plan is loaded already."""
    return () if st.session_state.get(state.PLAN_LOADED) else st.session_state.get(state.PLAN, ())


def outside_funded(changes: tuple[PlanChange, ...]) -> Decimal:
    """Year 10 learners in no funded partnership on the scenario's map after ``changes``
    (the Overview's figure: in no partnership, or only in unfunded ones, by share)."""
    return queries.overview_figures(dataclasses.replace(state.current(), changes=changes))["year10_outside_funded"]


def _warn_if_outside_rises(before: tuple[PlanChange, ...], after: tuple[PlanChange, ...], what: str) -> None:
    was, now = outside_funded(before), outside_funded(after)
    if now > was:
        st.session_state[WARNINGS] = [
            f"{OUTSIDE} rise from {count(was)} to {count(now)} with {what}: it takes schools out of funded partnerships "
            "(or into several, one of them unfunded). Check it is meant."
        ]


def apply(changes: tuple[PlanChange, ...], what: str) -> None:
    """Add changes to the draft if the plan then still fits the data; otherwise say why."""
    state.touch()  # a second quick click arrives with the address of before the first one's redraw
    current = _draft()
    proposed = plan_tables.with_changes(current, changes)
    if proposed == current:
        st.session_state[NOTES] = [f"{what}: already in the draft."]
        return
    problems = queries.plan_problems(proposed, state.current().as_of)
    if problems:
        st.session_state[ERRORS] = [f"{what} was not added: " + "; ".join(problems)]
        return
    state.set_plan(proposed)
    st.session_state[NOTES] = [f"Added to the draft: {what}."]
    _warn_if_outside_rises(current, proposed, f"this change ({what})")


def apply_best(codes: tuple[str, ...]) -> None:
    """The best alternative for every gap of these kinds, added to the draft: worked out on the
    draft as it grows (pipelines/rules/plan_best.py, the same function as `suggest --best`). What it
    could not close is kept beside the draft it made, and listed while that draft stands.

    A button's callback, so the status it draws (at the top of the page, before the page runs)
    shows each round as the search goes and stays, folded, with what it did and how long it took."""
    state.touch()
    chosen = dataclasses.replace(state.current(), changes=_draft())
    started = time.perf_counter()
    rounds: list[plan_best.Progress] = []
    with st.status("Working out the best plan on the draft ...", expanded=True) as status:
        bar = st.progress(0.0, text="Finding the gaps and their suggestions ...")

        def report(progress: plan_best.Progress) -> None:
            rounds.append(progress)
            bar.progress(progress.fraction(), text=progress.words())

        try:
            best = queries.best_plan(chosen, codes, progress=report)
        except PlanRefused as refusal:
            status.update(label="The best plan was not worked out", state="error")
            st.session_state[ERRORS] = [f"The best plan was not worked out: {refusal}"]
            return
        took = f"in {time.perf_counter() - started:.1f} s" if rounds else "before, for this draft"
        status.update(label=f"Best plan worked out {took}: {best.summary()}", state="complete", expanded=False)
    st.session_state[BEST] = (best.changes, best.unclosed, best.opened)
    if best.changes == chosen.changes:
        st.session_state[NOTES] = ["The best plan adds nothing to the draft."]
        return
    state.set_plan(best.changes)
    st.session_state[NOTES] = [f"Added to the draft: the best alternative for each gap shown. {best.summary()}."]
    _warn_if_outside_rises(chosen.changes, best.changes, "the best plan")


def best_outcome(draft: tuple[PlanChange, ...], labels: dict[str, str]) -> None:
    """The gaps the best plan could not close, and why, while the draft is the one it made."""
    kept = st.session_state.get(BEST)
    if not kept or kept[0] != draft:
        return
    _, unclosed, opened = kept
    for gaps, what, key in (
        (unclosed, "The best plan could not close {n} gaps:", "plan_best_unclosed"),
        (opened, "Closing errors, the best plan opened {n} warnings of kinds not shown:", "plan_best_opened"),
    ):
        if not gaps:
            continue
        st.warning(what.format(n=len(gaps)), icon=":material/report:")
        tables.show(
            pl.DataFrame(
                {
                    "Gap": [labels.get(g.code, g.code) for g in gaps],
                    "Where": [g.subject for g in gaps],
                    "Why": [g.reason for g in gaps],
                    "Gap code": [g.code for g in gaps],
                }
            ),
            key=key,
        )


def change_form(draft: tuple[PlanChange, ...], names: dict[int, str], partnerships: dict[str, str]) -> None:
    kind = st.selectbox("Change", list(CHANGE_KINDS), key="plan_form_change", format_func=CHANGE_KINDS.__getitem__)
    created = [c.partnership_code for c in draft if c.change == "create" and c.partnership_code is not None]
    codes = sorted(partnerships) + [c for c in created if c not in partnerships]

    def label(c: str) -> str:
        return f"{c} — {partnerships.get(c, 'new in this plan')}"

    with st.form("plan_form", border=False):
        code: str | None
        if kind == "create":
            code = st.text_input("New partnership code", max_chars=32, help="Letters, digits, '-' or '_'.")
        else:
            code = st.selectbox("Partnership", codes, format_func=label)
        member: int | None = None
        role: str | None = None
        name: str | None = None
        into: str | None = None
        if kind in ("create", "rename"):
            name = st.text_input("Name", max_chars=free_text.NAME_LENGTH)
        if kind in ("add", "remove", "create"):
            # A new partnership starts with a member: a roster names its members.
            member = st.selectbox(
                "First member" if kind == "create" else "Member",
                sorted(names, key=lambda i: names[i]),
                format_func=lambda i: f"{names[i]} ({i})",
            )
            role = st.radio("Role", ["full", "associate"], horizontal=True) if kind != "remove" else None
        if kind == "merge":
            into = st.selectbox("Into", [c for c in codes if c != code], format_func=label)
        if st.form_submit_button("Add to the draft", icon=":material/add:"):
            code = (code or "").strip() or None
            changes: tuple[PlanChange, ...]
            if kind == "create":
                changes = (
                    PlanChange("create", code, partnership_name=(name or "").strip() or None),
                    PlanChange("add", code, member, role),
                )
            else:
                changes = (PlanChange(kind, code, member, role, (name or "").strip() or None, into),)
            wrong = [w for change in changes for w in change.problems()]
            if wrong:
                st.error(plain("; ".join(f"{column}: expected {expected}" for column, _, expected in wrong)))
            else:
                apply(changes, "; ".join(c.describe() for c in changes))
                st.rerun()


def _highlighted(frame: pl.DataFrame, changed: str):
    """A table whose changed rows stand out (a pandas Styler: st.dataframe draws its colours)."""
    table = frame.to_pandas()
    return table.style.apply(lambda row: [HIGHLIGHT if row[changed] else "" for _ in row], axis=1)


def outside_before_and_after(loaded: AllocationSettings, chosen: AllocationSettings) -> None:
    """Year 10 learners in no funded partnership on the loaded rosters and the draft, with a
    warning when the draft has more: moving schools must not quietly take learners out of the
    funded map."""
    was = queries.overview_figures(loaded)["year10_outside_funded"]
    now = queries.overview_figures(chosen)["year10_outside_funded"]
    change = now - was
    st.container(key="plan_outside").metric(
        OUTSIDE,
        count(now),
        delta=None if change == 0 else ("+" if change > 0 else "") + count(change),
        delta_color="inverse",
        help="Year 10 of the open high and special schools in no partnership, or only in unfunded ones "
        "(a school in several partnerships counts its share in each).",
    )
    st.caption(f"{count(was)} on the loaded rosters, {count(now)} with the draft.")
    if now > was:
        st.warning(
            f"The draft puts more {OUTSIDE}: {count(was)} on the loaded rosters, {count(now)} with the draft.",
            icon=":material/warning:",
        )


def side_by_side(loaded: AllocationSettings, chosen: AllocationSettings, labels: dict[str, str]) -> None:
    """Gap counts, money and the two maps, the draft's differences highlighted."""
    outside_before_and_after(loaded, chosen)
    counts = queries.gap_counts(queries.gaps(loaded), queries.gaps(chosen))
    st.subheader("Gaps by kind")
    shown = counts.select(
        pl.col("code").replace_strict(labels, default=pl.col("code")).alias("Gap"),
        pl.col("before").alias("Loaded"),
        pl.col("after").alias("Draft"),
        pl.col("change").alias("Change"),
        pl.col("code").alias("Gap code"),
    )
    st.container(key="plan_gap_counts").dataframe(
        _highlighted(shown, "Change"), hide_index=True, width="stretch", placeholder=MISSING
    )
    st.subheader(f"Allocation of {pounds(chosen.total)}")
    try:
        change = queries.allocation_change(queries.allocation(loaded), queries.allocation(chosen))
    except queries.AllocationRefused as refusal:
        st.warning(f"No allocation for one side: {plain(str(refusal))}", icon=":material/block:")
    else:
        table = change.select(
            pl.col("partnership_code").alias("Code"),
            pl.col("partnership_name").alias("Partnership"),
            pl.col("year10_before").cast(pl.Float64).alias("Year 10 loaded"),
            pl.col("year10_after").cast(pl.Float64).alias("Year 10 draft"),
            pl.col("amount_before").cast(pl.Float64).alias("Loaded (£)"),
            pl.col("amount_after").cast(pl.Float64).alias("Draft (£)"),
            pl.col("amount_change").cast(pl.Float64).alias("Change (£)"),
        )
        st.container(key="plan_money").dataframe(
            _highlighted(table, "Change (£)").format({c: "{:,.1f}" for c in ("Year 10 loaded", "Year 10 draft")}, na_rep=MISSING),
            hide_index=True,
            width="stretch",
            height=38 + 35 * change.height,
            placeholder=MISSING,
            column_config={
                "Partnership": st.column_config.TextColumn(width="medium"),
                **tables.money_config(["Loaded (£)", "Draft (£)", "Change (£)"]),
            },
        )
        moved = change.filter(pl.col("amount_change") != 0)
        if moved.height:
            largest = moved.sort(pl.col("amount_change").abs(), descending=True).row(0, named=True)
            st.caption(
                f"{moved.height} partnerships' amounts change; the largest: {largest['partnership_code']} "
                f"{pounds(largest['amount_change'])}. Both columns add up to the pot."
            )
        else:
            st.caption("No partnership's amount changes. Both columns add up to the pot.")
    changed = frozenset(c.member_id for c in chosen.changes if c.member_id is not None)
    st.caption(
        "Each partnership has its own colour and its code written at its centre "
        "(up to 60 partnerships; hover on a point for its name "
        "and partnership); triangles are gaps, squares colleges and providers, large crosses the members the "
        "plan changes."
    )
    left, right = st.columns(2)
    left.markdown("**Loaded rosters**")
    left.vega_lite_chart(queries.map_spec(loaded.as_of, queries.census_used(loaded), height=420, legend=False), width="stretch")
    tables.map_table(queries.map_table(loaded.as_of, queries.census_used(loaded)), key="plan_loaded_map_table", where=left)
    right.markdown("**Draft**")
    draft_census = queries.census_used(chosen)
    right.vega_lite_chart(
        queries.map_spec(
            chosen.as_of, draft_census, chosen.changes, height=420, highlight=changed, highlight_as=CHANGED, legend=False
        ),
        width="stretch",
    )
    tables.map_table(
        queries.map_table(chosen.as_of, draft_census, chosen.changes, highlight=changed, highlight_as=CHANGED),
        key="plan_draft_map_table",
        where=right,
    )
