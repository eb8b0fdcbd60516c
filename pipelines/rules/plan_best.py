"""The best plan: for every gap a membership change can close, the best alternative that still
works on the map as the plan so far leaves it; and, for each gap it cannot close, why.

Taking every gap's first suggestion at once, each worked out on the loaded map, lets two gaps
of one school undo each other: a school in two partnerships that is also far from one of them
was kept in one and moved into a third, and ended in two partnerships again. Here the plan
grows on a draft. Gaps are taken in the order of the ``plan_gap_scope`` macro (errors first, a
school settled into one partnership before it is moved for travel); the suggestions are worked
out again on the draft after each round of changes; and an alternative is taken only if, on
the draft with it, its own gap is closed, no gap closed earlier is open again and it opens no
new error (an alternative that closes a warning opens no new gap at all). A new warning that
closing an error opens is worked through like any other gap.

Rounds, for speed: working the gaps and the suggestions out again after every single change
would cost about a second per change on the default data. A round takes, in priority order, the
best untried alternative of each gap whose schools and partnerships no alternative taken
earlier in the round touches, so changes to the same school or partnership always see each
other; the draft with all of them is checked once. When it breaks a rule, the alternatives
whose own gap stayed open are set aside for good; when it opens a gap, those touching that
gap's school or partnership are judged after the others (else the second half after the first),
down to one alternative judged alone. So the draft after every round keeps every rule above. A
gap whose alternatives are all set aside is tried again if the draft later offers it a new one;
the search ends when no gap has an untried alternative. The suggestions are worked out again
only when a round changed the draft, and every draft is judged on one census (the one chosen,
else the default of the map it starts from: only census_missing depends on it).

It still takes seconds (on the default data 6 rounds, 19 drafts and 6 sets of suggestions, about
4 s of CPU), so it says how far it has got as each round starts (``progress``). Nothing is
worked out twice for the page that asks: the figures of the draft it starts from can be handed
in (``worked_out``), and those of the draft it ends on, which its last round worked out, are
handed back (``BestPlan.final``).

Identity of a gap (``plan_gap_scope.identity``): a school in two partnerships, or one far from
its partnership, is one gap of the school whichever rows show it, so a school moved to a
partnership where it is still far has not had its gap closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Unpack

import duckdb
import polars as pl

from pipelines.base import config
from pipelines.base.refusals import PlanRefused
from pipelines.rules import allocate, plan
from pipelines.rules.plan import PlanChange
from pipelines.store import db

GapKey = tuple[str, str | None, int | None]  # code, partnership, institution (see _Scope.key)
_Draft = tuple[pl.DataFrame | None, pl.DataFrame, dict[GapKey, dict]]  # a plan's roster, its gaps, and by key
MAX_ROUNDS = 200  # a safety net: each round closes a gap or sets an alternative aside for good


@dataclass(frozen=True)
class Unclosed:
    """A gap the best plan leaves open, in words, with the reason."""

    code: str
    partnership_code: str | None
    institution_id: int | None
    subject: str
    reason: str

    def line(self) -> str:
        return f"{self.code:<24} {self.subject}: {self.reason}"


@dataclass(frozen=True)
class WorkedOut:
    """A draft's figures as worked out on one census: its roster (None: the loaded map), gaps and
    suggestions (None: not worked out for it). The Plan page has them for the draft the search
    starts from, and shows next the draft it ends on: each is worked out once, not again."""

    census_date: dt.date | None
    roster: pl.DataFrame | None
    gaps: pl.DataFrame
    suggestions: pl.DataFrame | None


@dataclass(frozen=True)
class BestPlan:
    """The whole plan (the changes it started from, then its own), the suggestion rows behind its
    own changes (a plan file: `plan --changes` reads it), and the gaps before and after."""

    changes: tuple[PlanChange, ...]
    rows: pl.DataFrame
    addressed: int  # gaps of the codes worked through, on the map it started from
    closed: int  # of those, closed by the plan
    unclosed: tuple[Unclosed, ...]  # every gap of those codes open after the plan, with why
    opened: tuple[Unclosed, ...]  # gaps of other codes the plan opens (warnings, while closing errors)
    rounds: int
    final: WorkedOut | None = None  # the draft it ends on

    def summary(self) -> str:
        added = self.rows.height
        return f"{added} changes close {self.closed} of {self.addressed} gaps ({self.rounds} rounds on the draft)"


@dataclass(frozen=True)
class Progress:
    """How far the search has got, said after each round is picked (it takes seconds: the Plan
    page shows it as it goes)."""

    rounds: int
    closed: int  # gaps of the codes worked through, closed so far
    addressed: int  # of those codes, on the map it started from
    trying: int  # gaps open with an alternative still to try
    open: int  # gaps of those codes open on the draft
    changes: int  # changes the plan has added so far
    drafts: int  # drafts worked out and judged so far

    def fraction(self) -> float:
        """The share of gaps settled (closed, or with nothing left to try): 1 when it ends."""
        total = self.closed + self.open
        return 1.0 if total == 0 else (total - self.trying) / total

    def words(self) -> str:
        return (
            f"Round {self.rounds}: {self.closed} of {self.addressed} gaps closed so far, {self.trying} still being tried; "
            f"{self.changes} changes, {self.drafts} drafts checked"
        )


@dataclass(frozen=True)
class _Scope:
    identity: dict[str, str]
    priority: dict[str, int]

    def key(self, code: str, partnership: str | None, institution: int | None) -> GapKey:
        """One gap whatever rows show it (see the plan_gap_scope macro)."""
        identity = self.identity.get(code)
        if identity == "institution":
            return (code, None, institution)
        if identity == "partnership":
            return (code, partnership, None)
        return (code, partnership, institution)

    def order(self, key: GapKey) -> tuple:
        return (self.priority.get(key[0], len(self.priority) + 1), key[0], key[1] or "", key[2] or 0)


@dataclass(frozen=True)
class _Alternative:
    gap: GapKey
    rank: int
    rows: tuple[dict, ...]

    @property
    def changes(self) -> tuple[PlanChange, ...]:
        return tuple(
            PlanChange(r["change"], r["partnership_code"], r["member_id"], r["role"]) for r in self.rows if r["change"] != "none"
        )

    def ident(self) -> frozenset:
        return frozenset(c.key() for c in self.changes)

    def touches(self) -> set[tuple[str, object]]:
        """The schools and partnerships it is about or changes: two alternatives of one round
        never share one, so a change always sees another that bears on the same place."""
        found: set[tuple[str, object]] = {("p", self.gap[1]), ("i", self.gap[2])}
        for c in self.changes:
            found |= {("p", c.partnership_code), ("i", c.member_id)}
        return {t for t in found if t[1] is not None}

    def describe(self) -> str:
        return ", ".join(c.describe() for c in self.changes)


@dataclass
class _Step:
    """One change of the plan: the suggestion row it came from (None: the plan it started
    from) and which alternative of the round being tried added it (-1: already in the plan)."""

    change: PlanChange
    row: dict | None
    owner: int = -1


@dataclass
class _Search:
    con: duckdb.DuckDBPyConnection
    settings: allocate.MapSettings  # every one given (see allocate.map_settings)
    scope: _Scope
    codes: frozenset[str]
    alternatives: int
    steps: list[_Step]
    gaps: dict[GapKey, dict] = field(default_factory=dict)
    roster: pl.DataFrame | None = None
    gaps_frame: pl.DataFrame = field(default_factory=pl.DataFrame)  # the draft's gaps as worked out
    seen: set[GapKey] = field(default_factory=set)  # every gap of a draft the plan has been on
    tried: dict[GapKey, list[tuple[frozenset, str]]] = field(default_factory=dict)
    reasons: dict[GapKey, str] = field(default_factory=dict)
    rounds: int = 0
    drafts: int = 0  # drafts worked out (a roster and its gaps), for the progress shown
    trying: int = 0  # gaps with an untried alternative at the last pick
    suggested: tuple[tuple[PlanChange, ...] | None, pl.DataFrame] = (None, pl.DataFrame())

    # --- the draft ---------------------------------------------------------------------------

    def changes(self, steps: Sequence[_Step] | None = None) -> tuple[PlanChange, ...]:
        return tuple(s.change for s in (self.steps if steps is None else steps))

    def gaps_on(self, changes: tuple[PlanChange, ...], roster: pl.DataFrame | None) -> pl.DataFrame:
        return allocate.coverage_gaps(self.con, changes=changes, roster=roster, **self.settings)

    def keyed(self, frame: pl.DataFrame) -> dict[GapKey, dict]:
        found: dict[GapKey, dict] = {}
        for row in frame.iter_rows(named=True):
            found.setdefault(self.scope.key(row["code"], row["partnership_code"], row["institution_id"]), row)
        return found

    def start(self, known: WorkedOut | None) -> None:
        """The draft it starts from. Every draft is judged on one census: the one chosen, else
        the default for the map it starts from (only census_missing depends on it). ``known``:
        that draft's figures on the census chosen, when the caller has them."""
        changes = self.changes()
        census = self.settings["census_date"]
        if known is not None and census is not None and known.census_date == census and (known.roster is None) == (not changes):
            self.roster, self.gaps_frame = known.roster, known.gaps
            if known.suggestions is not None:
                self.suggested = (changes, known.suggestions)
        else:
            self.roster = plan.proposed_roster(self.con, changes, self.settings["as_of"]) if changes else None
            if census is None:
                self.settings["census_date"] = allocate.default_census(
                    self.con,
                    as_of=self.settings["as_of"],
                    include_pending=self.settings["include_pending"],
                    treat_as_accredited=self.settings["treat_as_accredited"],
                    changes=changes,
                )["census_date"]
            self.gaps_frame = self.gaps_on(changes, self.roster)
        self.gaps = self.keyed(self.gaps_frame)
        self.seen = set(self.gaps)

    def open_gaps(self) -> list[GapKey]:
        return sorted((k for k in self.gaps if k[0] in self.codes), key=self.scope.order)

    # --- one round ---------------------------------------------------------------------------

    def offered(self) -> dict[GapKey, list[_Alternative]]:
        """The suggestions on the draft, by gap, best first (worked out again only when the
        draft has changed since: a round may only set alternatives aside)."""
        if self.suggested[0] != self.changes():
            frame = allocate.membership_suggestions(
                self.con, changes=self.changes(), roster=self.roster, alternatives=self.alternatives, **self.settings
            )
            self.suggested = (self.changes(), frame)
        frame = self.suggested[1]
        by_gap: dict[GapKey, dict[int, list[dict]]] = {}
        for row in frame.iter_rows(named=True):
            key = self.scope.key(row["gap_code"], row["gap_partnership_code"], row["gap_institution_id"])
            by_gap.setdefault(key, {}).setdefault(row["rank"], []).append(row)
        return {k: [_Alternative(k, rank, tuple(rows)) for rank, rows in sorted(ranks.items())] for k, ranks in by_gap.items()}

    def pick(self) -> list[_Alternative]:
        """One untried alternative per gap, gaps in priority order, none sharing a school or a
        partnership with one picked before it; the reason is noted for each gap with none left."""
        offered = self.offered()
        picked: list[_Alternative] = []
        used: set[tuple[str, object]] = set()
        room = plan.MAX_CHANGES - len(self.steps)
        self.trying = 0
        for key in self.open_gaps():
            alternatives = offered.get(key, [])
            usable = [a for a in alternatives if a.changes and a.ident() not in {t for t, _ in self.tried.get(key, [])}]
            if not usable:
                self.reasons[key] = self._no_alternative(key, alternatives)
                continue
            best = usable[0]
            if len(best.changes) > room:
                self.reasons[key] = f"not tried: a plan holds at most {plan.MAX_CHANGES} changes (load a roster file for more)"
                continue
            self.trying += 1
            if best.touches() & used:
                continue  # the next round, on the draft with the changes picked before it
            used |= best.touches()
            room -= len(best.changes)
            picked.append(best)
        return picked

    def _no_alternative(self, key: GapKey, alternatives: list[_Alternative]) -> str:
        tried = self.tried.get(key, [])
        if tried:
            return "every alternative was tried on the draft: " + "; ".join(why for _, why in tried)
        nothing = [a for a in alternatives if not a.changes]
        if nothing:
            return nothing[0].rows[0]["reason"]
        if key[0] == "travel_outlier":
            return "no alternative: no other partnership's centre is nearer than its own"
        return "no alternative: no membership change is suggested for it on the draft"

    def settle(self, trial: list[_Alternative], known: _Draft | None = None) -> bool:
        """Add the trial's alternatives to the draft if it then keeps every rule. Otherwise set
        aside those whose own gap stays open; or, when the draft opens a gap, judge apart the
        alternatives that touch its school or partnership and the others (else each half), the
        second part on the draft with what the first added, down to one alternative, which is
        then judged alone. Returns whether the whole trial was added.

        ``known``: the draft with this trial's changes, already worked out. When the first part
        of a split is added whole, the second part on the new draft is the draft just judged
        (the same memberships), so it is not worked out again."""
        steps = self._compose(trial)
        if known is None:
            changes = self.changes(steps)
            labels = [f"change {i}" for i in range(1, len(steps) + 1)]
            try:
                known = self._draft(changes, labels)
            except PlanRefused:
                rest = self._drop_refused(trial, steps, changes, labels)
                if rest:
                    self.settle(rest)
                return False
        roster, frame, after = known
        stays_open = [a for a in trial if a.gap in after]
        broken, culprits = self._broken(trial, after)
        if not stays_open and not broken:
            self.steps, self.gaps, self.roster = [_Step(s.change, s.row) for s in steps], after, roster
            self.gaps_frame = frame
            self.seen |= set(after)
            return True
        if len(trial) == 1:
            self._set_aside(trial[0], f"it stays open ({after[trial[0].gap]['detail']})" if stays_open else broken)
        elif stays_open:  # its own gap: set aside for good
            for alternative in stays_open:
                self._set_aside(alternative, f"it stays open ({after[alternative.gap]['detail']})")
            rest = [a for a in trial if a not in stays_open]
            if rest:
                self.settle(rest)
        else:  # those near the gaps that break the rule judged after the others, or halves
            near = {("p", after[k]["partnership_code"]) for k in culprits} | {("i", k[2]) for k in culprits}
            suspects = [a for a in trial if a.touches() & near]
            first, second = (
                ([a for a in trial if a not in suspects], suspects)
                if 0 < len(suspects) < len(trial)
                else (trial[: len(trial) // 2], trial[len(trial) // 2 :])
            )
            self.settle(second, known if self.settle(first) else None)
        return False

    def _draft(self, changes: tuple[PlanChange, ...], labels: list[str]) -> _Draft:
        """The roster and the gaps of the plan ``changes`` (PlanRefused: it cannot be applied)."""
        self.drafts += 1
        roster = plan.proposed_roster(self.con, changes, self.settings["as_of"], labels) if plan.effective(changes) else None
        frame = self.gaps_on(changes, roster)
        return roster, frame, self.keyed(frame)

    def _broken(self, trial: list[_Alternative], after: dict[GapKey, dict]) -> tuple[str, list[GapKey]]:
        """Which rule the draft with ``trial`` breaks, in words, and the gaps that break it
        (none: it keeps every rule)."""
        closed = self.seen - set(self.gaps)
        reopened = sorted(closed & set(after), key=self.scope.order)
        if reopened:
            return "it opens again " + _listed(after, reopened), reopened
        new = sorted(set(after) - self.seen, key=self.scope.order)
        errors = [k for k in new if after[k]["severity"] == "error"]
        if errors:
            return "it opens " + _listed(after, errors), errors
        if new and any(self.gaps[a.gap]["severity"] != "error" for a in trial):
            return "it opens " + _listed(after, new), new
        return "", []

    def _set_aside(self, alternative: _Alternative, why: str) -> None:
        self.tried.setdefault(alternative.gap, []).append((alternative.ident(), f"{alternative.describe()}: {why}"))

    def _drop_refused(
        self, trial: list[_Alternative], steps: list[_Step], changes: tuple[PlanChange, ...], labels: list[str]
    ) -> list[_Alternative]:
        """The trial less the alternatives whose changes the draft cannot take, each set aside."""
        owner = {label: step.owner for label, step in zip(labels, steps, strict=True)}
        refused: dict[int, list[str]] = {}
        for found in plan.problems(self.con, changes, self.settings["as_of"], labels):
            refused.setdefault(owner.get(found[0], -1), []).append(plan.in_words(*found))
        if -1 in refused or not refused:  # the plan so far no longer applies: not the trial's doing
            raise PlanRefused("the plan so far cannot be applied: " + "; ".join(refused.get(-1, ["unknown"])))
        for index, problems in refused.items():
            self._set_aside(trial[index], "it cannot be applied on the draft (" + "; ".join(problems) + ")")
        return [a for i, a in enumerate(trial) if i not in refused]

    def _compose(self, trial: list[_Alternative]) -> list[_Step]:
        """The plan with the trial's changes. A change that undoes one already in the plan (a
        school the plan moved in, moved on again) takes that one out instead of being added,
        because a plan is relative to the loaded rosters."""
        steps = [_Step(s.change, s.row) for s in self.steps]
        for index, alternative in enumerate(trial):
            for row in alternative.rows:
                if row["change"] == "none":
                    continue
                change = PlanChange(row["change"], row["partnership_code"], row["member_id"], row["role"])
                undone = next((i for i, s in enumerate(steps) if _undoes(change, s.change)), None)
                if undone is not None:
                    del steps[undone]
                elif all(s.change.key() != change.key() for s in steps):
                    steps.append(_Step(change, row, index))
        return steps

    def progress(self, addressed: set[GapKey]) -> Progress:
        return Progress(
            rounds=self.rounds,
            closed=len(addressed - set(self.gaps)),
            addressed=len(addressed),
            trying=self.trying,
            open=len(self.open_gaps()),
            changes=sum(1 for s in self.steps if s.row is not None),
            drafts=self.drafts,
        )

    def result(self, addressed: set[GapKey], start_gaps: dict[GapKey, dict]) -> BestPlan:
        rows = [s.row for s in self.steps if s.row is not None]
        unclosed = tuple(
            _unclosed(k, self.gaps[k], self.reasons.get(k, f"not tried: the search stopped after {MAX_ROUNDS} rounds"))
            for k in self.open_gaps()
        )
        opened = tuple(
            _unclosed(k, self.gaps[k], "opened while closing an error")
            for k in sorted(set(self.gaps) - set(start_gaps), key=self.scope.order)
            if k[0] not in self.codes
        )
        return BestPlan(
            changes=self.changes(),
            rows=pl.DataFrame(rows, schema=_SUGGESTION_SCHEMA) if rows else pl.DataFrame(schema=_SUGGESTION_SCHEMA),
            addressed=len(addressed),
            closed=len(addressed - set(self.gaps)),
            unclosed=unclosed,
            opened=opened,
            rounds=self.rounds,
            final=WorkedOut(
                self.settings["census_date"],
                self.roster,
                self.gaps_frame,
                self.suggested[1] if self.suggested[0] == self.changes() else None,
            ),
        )


_SUGGESTION_SCHEMA = {
    "gap_code": pl.String,
    "gap_partnership_code": pl.String,
    "gap_institution_id": pl.Int64,
    "rank": pl.Int32,
    "change": pl.String,
    "partnership_code": pl.String,
    "partnership_name": pl.String,
    "member_id": pl.Int64,
    "member_name": pl.String,
    "role": pl.String,
    "into_code": pl.String,
    "distance_km": pl.Float64,
    "reason": pl.String,
}


def _undoes(change: PlanChange, earlier: PlanChange) -> bool:
    """Whether ``change`` undoes ``earlier``: removing a member the plan added, or adding back,
    in the same role, a member the plan removed."""
    if (change.partnership_code, change.member_id) != (earlier.partnership_code, earlier.member_id):
        return False
    if change.change == "remove" and earlier.change == "add":
        return change.role is None or change.role == (earlier.role or "full")
    if change.change == "add" and earlier.change == "remove":
        return earlier.role is not None and earlier.role == (change.role or "full")
    return False


def _listed(gaps: dict[GapKey, dict], keys: list[GapKey]) -> str:
    shown = [f"{k[0]} ({_subject(gaps[k])})" for k in keys[:3]]
    more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    return ", ".join(shown) + more


def _subject(row: dict) -> str:
    if row["institution_id"] is None:
        return f"{row['partnership_name'] or row['partnership_code']} ({row['partnership_code']})"
    name = row["institution_name"] or "not in the register"
    return name if f"URN {row['institution_id']}" in name else f"{name} ({row['institution_id']})"


def _unclosed(key: GapKey, row: dict, reason: str) -> Unclosed:
    return Unclosed(key[0], key[1], key[2], _subject(row), reason)


def gap_scope(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """code, identity, priority: the gaps a membership change can close (plan_gap_scope)."""
    return con.sql(db.read_sql("plan/gap_scope.sql")).pl()


def best_plan(
    con: duckdb.DuckDBPyConnection,
    *,
    start: Sequence[PlanChange] = (),
    codes: Collection[str] | None = None,
    alternatives: int = config.SUGGESTED_ALTERNATIVES,
    progress: Callable[[Progress], None] | None = None,
    worked_out: WorkedOut | None = None,
    **settings: Unpack[allocate.MapSettings],
) -> BestPlan:
    """The best plan for the gaps of ``codes`` (default: every gap a membership change can
    close), grown on the draft of ``start`` (the plan so far). ``con`` reads the loaded map
    (not a draft). Raises PlanRefused when ``start`` does not fit the data. ``progress`` is
    told how far it has got as each round starts, and once more at the end. ``worked_out``:
    the figures of ``start``'s draft on ``census_date``, with ``travel_km`` and ``alternatives``
    (used only when that census is named)."""
    scope_frame = gap_scope(con)
    scope = _Scope(
        dict(zip(scope_frame["code"], scope_frame["identity"], strict=True)),
        dict(zip(scope_frame["code"], scope_frame["priority"], strict=True)),
    )
    chosen = frozenset(scope.identity) if codes is None else frozenset(codes) & frozenset(scope.identity)
    search = _Search(
        con,
        allocate.map_settings(settings),
        scope,
        chosen,
        alternatives,
        [_Step(c, None) for c in plan.effective(start)],
    )
    search.start(worked_out)
    start_gaps = dict(search.gaps)
    addressed = {k for k in start_gaps if k[0] in chosen}
    while search.rounds < MAX_ROUNDS:
        picked = search.pick()
        if not picked:
            break
        search.rounds += 1
        if progress is not None:
            progress(search.progress(addressed))
        search.settle(picked)
    if progress is not None:
        search.trying = 0
        progress(search.progress(addressed))
    return search.result(addressed, start_gaps)
