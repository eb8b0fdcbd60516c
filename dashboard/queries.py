"""The dashboard's only way into the store: cached, read-only calls into sql/ files.

One read-only connection per process (re-opened when a load swaps in a new store file), a
cursor per call. Results are cached on the data version, so a rerun of a page costs no query
and a new load shows up at the next rerun without a restart.

Results are held once per process (``st.cache_resource``) and every caller gets a
``DataFrame.clone()``: a polars clone shares the column buffers and copies nothing, yet a page
that changed its frame in place would change only its own. ``st.cache_data`` would instead
unpickle a full copy for every session on every rerun; at England scale those copies cost
about 4 MB of memory per open session and time on each rerun.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import NoReturn, TypeVar

import duckdb
import polars as pl
import streamlit as st

from pipelines.base import clock, config
from pipelines.datasets import districts
from pipelines.outputs import exports, maps
from pipelines.rules import allocate as allocation_sql
from pipelines.rules import allocation_views, plan, plan_best, plan_compare, plan_gap_tally
from pipelines.rules.allocate import AllocationRefused, AllocationSettings  # noqa: F401 - pages catch it from here
from pipelines.rules.plan import PlanChange
from pipelines.store import audit_chain, db

Changes = tuple[PlanChange, ...]  # a draft membership plan; () is the loaded map
V = TypeVar("V")
logger = logging.getLogger(__name__)


def store_path() -> Path:
    try:
        return _ensure_store(str(config.DEFAULT_DB))
    except db.StoreProblem as problem:  # damaged, written by a newer release, a writer stuck
        _refuse(problem)


def _refuse(problem: db.StoreProblem) -> NoReturn:
    """The store cannot be shown: say why and what to do, once, instead of a failure per figure,
    and log it (the line names the store and the reason): the operator reads the log, not the
    screen. Not cached, so the next rerun after a restore opens the store again."""
    logger.warning("the dashboard refused the store: %s", problem)
    st.error(str(problem), icon=":material/error:")
    st.stop()


@st.cache_resource(show_spinner="Building the store from the default data ...")
def _ensure_store(path: str) -> Path:
    # Imported here: building brings the loader and its checks (pyproj among them), which a start
    # on an existing store never uses.
    from pipelines.datasets import build_default

    return build_default.ensure_store(Path(path))


def data_version() -> tuple[str, int, int]:
    """The store file's identity: every load swaps in a new file, so this changes with each."""
    path = store_path()
    stat = path.stat()
    return str(path), stat.st_ino, stat.st_mtime_ns


def _results_key() -> tuple:
    """What a cached result depends on: the store file, and today's date, because "as of
    today" (the default) means a different day after midnight."""
    return (*data_version(), dt.date.today().isoformat())


@st.cache_resource(max_entries=2)
def _connection(version: tuple[str, int, int]) -> duckdb.DuckDBPyConnection:
    return db.connect_read_only(version[0])


def cursor() -> duckdb.DuckDBPyConnection:
    try:
        return _connection(data_version()).cursor()
    except db.StoreProblem as problem:
        _refuse(problem)


def _shared_frame(max_entries: int):
    """Cache a frame-returning query once per process and hand each caller a clone (see the
    module docstring); one decorator, so no cached query can forget the clone."""

    def decorate(query):
        cached = st.cache_resource(show_spinner=False, max_entries=max_entries)(query)

        @functools.wraps(query)
        def cloned(*args) -> pl.DataFrame:
            return cached(*args).clone()

        return cloned

    return decorate


@_shared_frame(max_entries=256)
def _report(relative_sql: str, params: tuple, version: tuple, changes: Changes) -> pl.DataFrame:
    # Lists travel as tuples so the cache can hash them; DuckDB binds them as lists.
    bound = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    as_of = bound.get("as_of")
    with _on_map(changes, as_of if isinstance(as_of, dt.date) else None) as con:
        return con.sql(db.read_sql(relative_sql), params=bound or None).pl()


def report(relative_sql: str, changes: Changes = (), **params) -> pl.DataFrame:
    """A report's rows; with ``changes``, on the plan's draft map instead of the loaded one."""
    return _report(relative_sql, tuple(sorted(params.items())), _results_key(), changes)


class _Held(dict[tuple, V]):
    """A few results held per process, the oldest dropped first: for the best plan, whose work
    draws its progress on the page (st.cache_resource would replay those calls on a later run,
    where the bar they draw on does not exist), and the figures it hands on."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most
        self.lock = threading.Lock()  # sessions run in threads of their own

    def keep(self, key: tuple, value: V) -> None:
        with self.lock:
            self[key] = value
            while len(self) > self.most:
                del self[next(iter(self))]

    def take(self, key: tuple) -> V | None:
        with self.lock:
            return self.pop(key, None)


# Frames the best plan has just worked out for the draft it made (see best_plan), taken once by
# the query for exactly that draft and those settings instead of working them out again.
_JUST_WORKED_OUT: _Held[pl.DataFrame] = _Held(12)


def _worked_out(key: tuple) -> pl.DataFrame | None:
    return _JUST_WORKED_OUT.take(key)


# A few plans at once (the sessions' drafts); a plan's roster is worked out once per data version.
@_shared_frame(max_entries=16)
def _roster(changes: Changes, as_of: dt.date | None, version: tuple) -> pl.DataFrame:
    known = _worked_out(("roster", changes, as_of, version))
    return known if known is not None else plan.proposed_roster(cursor(), changes, as_of)


def proposed_roster(changes: Changes, as_of: dt.date | None) -> pl.DataFrame:
    """The whole roster after the plan (raises PlanRefused when it does not fit the data)."""
    return _roster(changes, as_of, _results_key())


def _on_map(changes: Changes, as_of: dt.date | None):
    """A connection reading the plan's draft map (a plain cursor for no plan)."""
    return plan.draft(cursor(), changes, as_of, proposed_roster(changes, as_of) if changes else None)


@st.cache_resource(show_spinner=False, max_entries=64)
def _plan_problems(changes: Changes, as_of: dt.date | None, version: tuple) -> list[str]:
    if _worked_out(("fits", changes, as_of, version)) is not None:  # the best plan made its roster
        return []
    return [plan.in_words(*found) for found in plan.problems(cursor(), changes, as_of)]


def plan_problems(changes: Changes, as_of: dt.date | None) -> list[str]:
    """Why a plan cannot be applied to the loaded data (empty: it can)."""
    return list(_plan_problems(changes, as_of, _results_key()))


@st.cache_resource(show_spinner=False, max_entries=16)
def _plan_already_loaded(changes: Changes, as_of: dt.date | None, version: tuple) -> bool:
    return plan.already_loaded(cursor(), changes, as_of)


def plan_already_loaded(changes: Changes, as_of: dt.date | None) -> bool:
    """Whether the loaded rosters already make every change of the plan (its roster was loaded)."""
    return _plan_already_loaded(changes, as_of, _results_key())


def table_counts() -> pl.DataFrame:
    return report("reports/table_counts.sql")


def load_log() -> pl.DataFrame:
    return report("reports/load_log.sql")


def loaded_files() -> pl.DataFrame:
    return report("reports/loaded_files.sql")


def provenance() -> pl.DataFrame:
    return report("reports/provenance.sql")


def data_status() -> pl.DataFrame:
    """Per input: real, proxy, inferred, synthetic or unlabelled (see pipelines/store/provenance.py)."""
    return report("reports/data_status.sql")


# What the Overview asks for next while an input the split needs is not loaded (a store built for
# an authority from the England data pack has neither), by the input's label in data_status.
NEXT_TO_LOAD = {
    "accreditation": "accreditation decisions (partnership_code, status, decided_on): only accredited partnerships are funded",
    "previous 2008/9 amounts": "the previous allocation (partnership_code, amount): the change against it, and the "
    "loss and gain limits, need it",
}


def next_to_load() -> list[str]:
    """The inputs the split needs that no file has loaded yet, each with why, in NEXT_TO_LOAD's order."""
    missing = set(data_status().filter(pl.col("status").is_null())["input"])
    return [why for label, why in NEXT_TO_LOAD.items() if label in missing]


def none_accredited(as_of: dt.date | None, changes: Changes = ()) -> tuple[str, ...]:
    """Every partnership's code when none is accredited on ``as_of`` (no decision loaded yet, or
    none in force); () when one is, or there is no partnership."""
    found = accreditation(as_of, changes)
    if found.filter(pl.col("status") == "accredited").height:
        return ()
    return tuple(found["partnership_code"].to_list())


def census_dates() -> list[dt.date]:
    """Newest first."""
    return sorted(report("reports/census_dates.sql")["census_date"].to_list(), reverse=True)


def default_census(as_of: dt.date | None, include_pending: bool, treat: tuple[str, ...], changes: Changes = ()) -> dt.date | None:
    """The census an allocation uses when none is chosen: the latest complete one for the
    funded partnerships (the rule is in SQL, shared with the command line)."""
    found = report(
        "reports/default_census.sql", changes, as_of=as_of, include_pending=include_pending, treat_as_accredited=tuple(treat)
    )
    return found.item(0, 0) if found.height else None


def census_used(chosen: AllocationSettings) -> dt.date | None:
    """The census the scenario's figures are on: the one chosen, else the default."""
    return chosen.census_date or default_census(chosen.as_of, chosen.include_pending, chosen.treat_as_accredited, chosen.changes)


def dataset_info() -> dict | None:
    found = report("reports/dataset_info.sql")
    return found.row(0, named=True) if found.height else None


def dataset_name() -> str | None:
    """What the store's data is called (its authority, scheme and census), for files that travel."""
    info = dataset_info()
    return str(info["name"]) if info and info.get("name") else None


def reference_date() -> dt.date | None:
    """The day the loaded data describes, if it declares one (the default as-of date)."""
    info = dataset_info()
    return info["reference_date"] if info else None


def accreditation(as_of: dt.date | None = None, changes: Changes = ()) -> pl.DataFrame:
    return report("reports/accreditation.sql", changes, as_of=as_of)


def gap_codes() -> pl.DataFrame:
    return report("reports/gap_codes.sql")


def uncovered_schools(as_of: dt.date | None = None, census_date: dt.date | None = None, changes: Changes = ()) -> pl.DataFrame:
    """Open schools that must be covered and are in no partnership or in several."""
    return map_institutions(as_of, census_date, changes).filter(pl.col("coverage_gap"))


def map_institutions(as_of: dt.date | None = None, census_date: dt.date | None = None, changes: Changes = ()) -> pl.DataFrame:
    return report("reports/map_institutions.sql", changes, as_of=as_of, census_date=census_date)


def partnership_members(code: str, as_of: dt.date | None = None, changes: Changes = ()) -> pl.DataFrame:
    return report("reports/partnership_members.sql", changes, partnership_code=code, as_of=as_of)


def health_checks(code: str, as_of: dt.date | None = None) -> pl.DataFrame:
    return report("reports/health_checks.sql", partnership_code=code, as_of=as_of)


# 64 recent splits (about 0.2 MB each at England scale): enough for every open session's pot,
# while a slider dragged through hundreds of values cannot grow the process without bound.
@_shared_frame(max_entries=64)
def _allocation(chosen: AllocationSettings, version: tuple) -> pl.DataFrame:
    # The default census is cached apart (the sidebar asks for it too), so a new pot costs only the split.
    roster = proposed_roster(chosen.changes, chosen.as_of) if chosen.changes else None
    return allocation_sql.allocate(cursor(), chosen, census_used(chosen), roster)


def allocation(chosen: AllocationSettings) -> pl.DataFrame:
    """Raises AllocationRefused, which pages show as a message."""
    return _allocation(chosen, _results_key())


def allocation_csv(chosen: AllocationSettings) -> bytes:
    """The CSV finance pays from, for exactly these settings on the current data."""
    return exports.allocation_csv(
        allocation(chosen),
        chosen,
        version_label(),
        data_status=data_status(),
        audit_anchor=audit_anchor(),
        dataset=dataset_name(),
    )


def allocation_xlsx(chosen: AllocationSettings) -> bytes:
    return exports.allocation_xlsx(
        allocation(chosen),
        chosen,
        version_label(),
        loaded_files(),
        clock.utc_now(),
        data_status=data_status(),
        audit_anchor=audit_anchor(),
        dataset=dataset_name(),
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _allocation_summary(chosen: AllocationSettings, version: tuple) -> dict:
    return allocation_sql.summarise(cursor(), _allocation(chosen, version))


def allocation_summary(chosen: AllocationSettings) -> dict:
    """Totals of the allocation (the proof it adds up, Year 10 of funded and of all partnerships)."""
    return dict(_allocation_summary(chosen, _results_key()))


# --- beside the split: the baseline it is compared with, and its money by district ---------------


def current_decision() -> dict | None:
    """The decision in force (the newest approval), or None before the first."""
    found = report("reports/current_decision.sql")
    return found.row(0, named=True) if found.height else None


def baseline_settings() -> AllocationSettings:
    """The baseline when no decision is in force: the default settings on the loaded rosters."""
    return AllocationSettings(total=Decimal(config.DEFAULT_TOTAL))


@_shared_frame(max_entries=64)
def _against_baseline(chosen: AllocationSettings, version: tuple) -> pl.DataFrame:
    decision = current_decision()
    if decision is not None:
        lines, top_slice = decision_lines(decision["decision_id"]), decision["top_slice"]
    else:
        lines = _allocation(baseline_settings(), version)
        top_slice = lines["top_slice"][0] if lines.height else None
    return allocation_views.against_baseline(cursor(), _allocation(chosen, version), lines, top_slice)


def against_baseline(chosen: AllocationSettings) -> pl.DataFrame:
    """Each line's change against the baseline (current_decision, else baseline_settings), with
    the total; raises AllocationRefused when the default settings give no allocation."""
    return _against_baseline(chosen, _results_key())


@_shared_frame(max_entries=64)
def _by_district(chosen: AllocationSettings, version: tuple) -> pl.DataFrame:
    frame = _allocation(chosen, version)
    # Who counts where does not change with the pot: the attribution is cached apart (the
    # Partnerships page reads it too), so a new pot costs only the split.
    counted = _attribution(chosen.as_of, frame["census_date"][0], version, chosen.changes)
    return allocation_views.by_district(cursor(), frame, counted)


def allocation_by_district(chosen: AllocationSettings) -> pl.DataFrame:
    """The split's money by district (each partnership's by its Year 10 per district), with the
    county top-slice and the total; raises AllocationRefused like allocation()."""
    return _by_district(chosen, _results_key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _overview_figures(as_of, census_date, include_pending, treat, version, changes) -> dict:
    with _on_map(changes, as_of) as con:
        return allocation_sql.overview_figures(
            con, as_of=as_of, census_date=census_date, include_pending=include_pending, treat_as_accredited=treat
        )


def overview_figures(chosen: AllocationSettings) -> dict:
    """Keyed on what the figures depend on (not the pot), with the census named."""
    return dict(
        _overview_figures(
            chosen.as_of, census_used(chosen), chosen.include_pending, chosen.treat_as_accredited, _results_key(), chosen.changes
        )
    )


# The gaps and the suggestions to close them: same settings, same draft map, one cached call.
_GAP_REPORTS = {"gaps": allocation_sql.coverage_gaps, "suggestions": allocation_sql.membership_suggestions}


@_shared_frame(max_entries=64)
def _gap_report(which, as_of, census_date, include_pending, travel_km, treat, version, changes) -> pl.DataFrame:
    known = _worked_out((which, as_of, census_date, include_pending, travel_km, treat, version, changes))
    if known is not None:
        return known
    with _on_map(changes, as_of) as con:
        return _GAP_REPORTS[which](
            con,
            as_of=as_of,
            census_date=census_date,
            include_pending=include_pending,
            travel_km=travel_km,
            treat_as_accredited=treat,
        )


def _gap_key(chosen: AllocationSettings, travel_km: float) -> tuple:
    """What the gaps of a scenario's map depend on, in the order the cached calls take it."""
    return (
        chosen.as_of,
        census_used(chosen),
        chosen.include_pending,
        travel_km,
        chosen.treat_as_accredited,
        _results_key(),
        chosen.changes,
    )


def _gap_report_for(which: str, chosen: AllocationSettings, travel_km: float) -> pl.DataFrame:
    return _gap_report(which, *_gap_key(chosen, travel_km))


def gaps(chosen: AllocationSettings | None = None, travel_km: float = config.DEFAULT_TRAVEL_KM) -> pl.DataFrame:
    return _gap_report_for("gaps", chosen or AllocationSettings(total=Decimal(config.DEFAULT_TOTAL)), travel_km)


def reviews_due(chosen: AllocationSettings) -> pl.DataFrame:
    """Accreditation reviews overdue or due soon on the scenario's day and map: the gaps' review
    rows alone, so the first page need not work out every gap to say them."""
    return report("reports/reviews_due.sql", chosen.changes, as_of=chosen.as_of)


def suggestions(chosen: AllocationSettings, travel_km: float = config.DEFAULT_TRAVEL_KM) -> pl.DataFrame:
    """Ways to close the gaps of the scenario's map (after its plan so far), best first."""
    return _gap_report_for("suggestions", chosen, travel_km)


_BEST_PLANS: _Held[plan_best.BestPlan] = _Held(8)


def best_plan(
    chosen: AllocationSettings,
    codes: tuple[str, ...],
    travel_km: float = config.DEFAULT_TRAVEL_KM,
    progress: Callable[[plan_best.Progress], None] | None = None,
) -> plan_best.BestPlan:
    """The best alternative for every gap of these kinds, worked out on the scenario's draft as
    it grows: the same function as `suggest --best` (raises PlanRefused when the draft does not
    fit the data). Held once per process, like the frames: nothing changes it. ``progress`` is
    told how far it has got (not when the plan is held already).

    Each figure is worked out once: the search starts from the draft's roster, gaps and
    suggestions as the page has them, and the roster, gaps and suggestions of the draft it makes,
    which its last round worked out, are kept for the page's next queries (on the same census,
    travel distance and number of alternatives) rather than worked out again."""
    version = _results_key()
    census = census_used(chosen)
    settings = (chosen.as_of, census, chosen.include_pending, travel_km, chosen.treat_as_accredited, version)
    key = (*settings, chosen.changes, tuple(sorted(codes)))
    best = _BEST_PLANS.get(key)
    if best is None:
        best = plan_best.best_plan(
            cursor(),
            as_of=chosen.as_of,
            census_date=census,
            include_pending=chosen.include_pending,
            travel_km=travel_km,
            treat_as_accredited=chosen.treat_as_accredited,
            start=chosen.changes,
            codes=codes,
            progress=progress,
            worked_out=plan_best.WorkedOut(
                census,
                proposed_roster(chosen.changes, chosen.as_of) if chosen.changes else None,
                gaps(chosen, travel_km),
                suggestions(chosen, travel_km),
            ),
        )
        _BEST_PLANS.keep(key, best)
    final = best.final
    if final is not None and final.census_date == census and best.changes:
        for held, frame in (
            (("gaps", *settings, best.changes), final.gaps),
            (("suggestions", *settings, best.changes), final.suggestions),
            (("roster", best.changes, chosen.as_of, version), final.roster),
            (("fits", best.changes, chosen.as_of, version), final.roster),  # its roster was made: it fits
        ):
            if frame is not None:
                _JUST_WORKED_OUT.keep(held, frame)
    return best


@st.cache_resource(show_spinner=False, max_entries=64)
def _gap_tally(as_of, census_date, include_pending, travel_km, treat, version, changes) -> plan_gap_tally.GapTally:
    gaps = _gap_report("gaps", as_of, census_date, include_pending, travel_km, treat, version, changes)
    return plan_gap_tally.gap_tally(cursor(), gaps)


def gap_tally(chosen: AllocationSettings, travel_km: float = config.DEFAULT_TRAVEL_KM) -> plan_gap_tally.GapTally:
    """What each page's gap count counts, on the scenario's map (see pipelines/rules/plan_gap_tally.py):
    from the same gaps as gaps(), worked out once per map like them."""
    return _gap_tally(*_gap_key(chosen, travel_km))


def gap_counts(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Gaps by code before and after a plan (the same SQL as the plan command)."""
    return plan_compare.gap_counts(cursor(), before, after)


def allocation_change(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Each partnership's money before and after a plan (the same SQL as the plan command)."""
    return plan_compare.allocation_change(cursor(), before, after)


@_shared_frame(max_entries=64)
def _attribution(as_of, census_date, version, changes) -> pl.DataFrame:
    with _on_map(changes, as_of) as con:
        return allocation_sql.year10_attribution(con, as_of=as_of, census_date=census_date)


def attribution(as_of: dt.date | None = None, census_date: dt.date | None = None, changes: Changes = ()) -> pl.DataFrame:
    return _attribution(as_of, census_date, _results_key(), changes)


def version_label() -> str:
    """The data version written into exports: a hash of the loaded files' sha256."""
    return _version_label(data_version())


@st.cache_resource(show_spinner=False, max_entries=8)
def _version_label(version: tuple) -> str:
    return allocation_sql.data_version(cursor())


def _map_points(as_of, census_date, changes: Changes, partnership: str | None) -> pl.DataFrame:
    """Every institution a map is asked to draw: all of them, or one partnership's members."""
    points = map_institutions(as_of, census_date, changes)
    if partnership is None:
        return points
    members = partnership_members(partnership, as_of, changes)["institution_id"]
    return points.filter(pl.col("institution_id").is_in(members.implode()))


def _map_subject(as_of, changes: Changes, partnership: str | None) -> str | None:
    """What a map is of, for its description: the loaded data's own name, or the partnership,
    and the draft plan when one is drawn (the Plan page's two maps then read apart)."""
    draft = ", with the draft plan" if changes else ""
    if partnership is not None:
        names = accreditation(as_of, changes).filter(pl.col("partnership_code") == partnership)["partnership_name"]
        return f"the members of {partnership}" + (f" — {names[0]}" if names.len() else "") + draft
    info = dataset_info()
    name = str(info["name"]) if info and info.get("name") else ""
    if name or not changes:
        return name + draft or None
    return "the draft plan"


# A map's spec takes a moment to write (0.1 s for a county, 0.6 s at England's size), and most
# reruns draw the same map again (another pot, another filter elsewhere): kept per process.
@st.cache_resource(show_spinner=False, max_entries=16)
def _map_spec(as_of, census_date, changes, version, height, highlight, highlight_as, legend, partnership) -> dict:
    return maps.map_spec(
        _map_points(as_of, census_date, changes, partnership),
        districts_geojson(),
        height=height,
        highlight=set(highlight),
        highlight_as=highlight_as,
        frames=True,  # sent as Arrow from polars: no pandas (see maps.map_spec)
        subject=_map_subject(as_of, changes, partnership),
        legend=legend,
    )


def map_spec(
    as_of: dt.date | None,
    census_date: dt.date | None,
    changes: Changes = (),
    *,
    height: int,
    highlight: frozenset[int] = frozenset(),
    highlight_as: str = "coverage gap",
    legend: bool | None = None,
    partnership: str | None = None,
) -> dict:
    """The institutions map of a scenario's map as a Vega-Lite spec (a shallow copy: the caller
    may set top-level keys), with its description in figures (a screen reader's name for it).
    ``partnership``: only that partnership's members."""
    return dict(_map_spec(as_of, census_date, changes, _results_key(), height, highlight, highlight_as, legend, partnership))


def map_table(
    as_of: dt.date | None,
    census_date: dt.date | None,
    changes: Changes = (),
    *,
    highlight: frozenset[int] = frozenset(),
    highlight_as: str = "coverage gap",
    partnership: str | None = None,
) -> pl.DataFrame:
    """The points the same call of map_spec draws, one row each with the marker it is drawn as:
    the table beside the map."""
    return maps.located(_map_points(as_of, census_date, changes, partnership), set(highlight), highlight_as)


def districts_geojson() -> dict:
    """The outlines the store's map is drawn on (see pipelines.datasets.districts)."""
    return _districts_geojson(data_version())


@st.cache_resource(show_spinner=False, max_entries=2)
def _districts_geojson(version: tuple[str, int, int]) -> dict:
    # Read once per store file: a build writes them, and every load swaps in a new file.
    return districts.outlines_for_map(cursor())


# A pack takes seconds to draw, so a second click (or a second member of the Group asking for
# the same settings) must not redraw it; a few entries cover the scenarios open at once. A
# cached pack says when it was first produced, at most a day ago (the key carries the date).
@st.cache_resource(show_spinner="Drawing the meeting pack ...", max_entries=4)
def _meeting_pack(chosen: AllocationSettings, version: tuple) -> bytes:
    # Imported on the first pack only: the PDF and map renderers take a second to load, which
    # every page would otherwise pay at start.
    from pipelines.outputs.meeting_pack import meeting_pack_pdf

    return meeting_pack_pdf(cursor(), chosen, produced=clock.utc_now())


def meeting_pack(chosen: AllocationSettings) -> bytes:
    """The A4 meeting pack (PDF) at these settings; raises AllocationRefused like allocation()."""
    return _meeting_pack(chosen, _results_key())


# --- what the Group saved and decided ----------------------------------------------------------


def scenarios() -> pl.DataFrame:
    return report("reports/scenarios.sql")


def decisions() -> pl.DataFrame:
    return report("reports/decisions.sql")


def decision(decision_id: int) -> dict | None:
    rows = report("reports/decision.sql", decision_id=decision_id)
    return rows.row(0, named=True) if rows.height else None


def decision_lines(decision_id: int) -> pl.DataFrame:
    return report("reports/decision_lines.sql", decision_id=decision_id)


def lines_total(lines: pl.DataFrame):
    """The sum of a decision's frozen amounts, by the same SQL as a live allocation's."""
    return allocation_sql.summarise(cursor(), lines)["amount_total"]


@st.cache_resource(show_spinner=False, max_entries=16)
def _decision_status(decision_id: int, version: tuple) -> exports.FrozenStatus:
    record = decision(decision_id)
    return exports.frozen_status(record["xlsx_bytes"]) if record else exports.FrozenStatus(None, None)


def decision_data_status(decision_id: int) -> exports.FrozenStatus:
    """What the data a decision was made on was (real, proxy, inferred, synthetic), as its frozen
    workbook says: the store's data now may be another, and a decision is read as approved."""
    return _decision_status(decision_id, _results_key())


def decision_data_changes(decision_id: int) -> pl.DataFrame:
    return report("reports/decision_data_changes.sql", decision_id=decision_id)


def audit_log() -> pl.DataFrame:
    return report("reports/audit_log.sql")


def audit_anchor() -> audit_chain.Anchor:
    """Where the audit log stands now, for the exports to carry (not cached: it is one row)."""
    return audit_chain.anchor(cursor())


def audit_verdict() -> audit_chain.Verdict:
    """The keyed chain and the cross-checks against the records, with this server's audit key.
    Not cached: it reads a few rows, and a verdict must never be older than the file."""
    return audit_chain.verify(cursor())
