"""One scenario per browser session, set in the sidebar of every page.

The settings live in the session (so a sidebar click to another page keeps them) and are
written into the URL of every page (so a link or a bookmark reopens them). The URL wins only
when it says something the session did not write itself: a shared link, an edited address or
the browser's Back button. Pages read the settings with ``current()`` and compute nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_CEILING, Decimal
from typing import TypedDict

import streamlit as st

from dashboard import queries
from dashboard.formatting import money, plain
from pipelines.base import clock, config
from pipelines.base.money import pounds
from pipelines.base.typed_values import MAX_GAIN_PERCENT, MAX_POUNDS
from pipelines.outputs import exports
from pipelines.rules import links, plan
from pipelines.rules.allocate import AllocationRefused, AllocationSettings, to_money, to_percent
from pipelines.rules.plan import PlanChange

SETTINGS = "scenario_settings"  # the AllocationSettings of this run
PUBLISHED = "scenario_published"  # the scenario part of the URL as this session last wrote it
PROBLEMS = "scenario_problems"
TYPED_PROBLEMS = "scenario_typed_problems"  # a typed amount refused: said with its own icon, not the link's
SLIDER_STEP = 1_000
SLIDER_MAX = 2_000_000  # the slider's usual range: £0 to this
# A larger exact total stretches the range to the next whole million, so the slider shows the
# pot in force and still moves £1,000 at a time around it; up to SLIDER_CEILING (10,001 steps,
# all sent to the browser each run), beyond which the slider says the pot is out of its range.
SLIDER_STRETCH = 1_000_000
SLIDER_CEILING = 10_000_000
W = "sc_"  # prefix of the sidebar widgets' keys
POT_SLIDER = W + "slider"
PLAN = W + "plan"  # the draft membership plan (a tuple of PlanChange), changed on the Plan page
PLAN_SET_ASIDE = "scenario_plan_set_aside"  # why this run's plan does not fit the data, if it does not
PLAN_LOADED = "scenario_plan_loaded"  # this run's plan is in force already: its roster was loaded
# Set by the scenario's own controls in this run: the user acted on the scenario on screen, so an
# address the browser sent before the last redraw reached it (two quick clicks) is not a link.
TOUCHED = "scenario_touched"
# Undo: the settings each change in this session replaced, newest last, and a mark that this run's
# settings come from Undo itself (so undoing steps back instead of swapping two settings).
HISTORY = "scenario_history"
UNDOING = "scenario_undoing"
HISTORY_LIMIT = 30


def current() -> AllocationSettings:
    """The settings the sidebar holds in this run (the frame sets them before any page runs)."""
    chosen = st.session_state.get(SETTINGS)
    return chosen if chosen is not None else links.from_query(st.query_params.to_dict())[0]


def _url_scenario() -> dict[str, str]:
    return {k: v for k, v in st.query_params.to_dict().items() if k in links.KEYS}


def _seeded(chosen: AllocationSettings) -> dict[str, object]:
    """What a scenario puts into the sidebar's widgets and the values behind them."""
    return {
        W + "total_text": money(chosen.total, pence=True),
        POT_SLIDER: _nearest_option(chosen.total),
        W + "total": chosen.total,
        W + "lump_text": money(chosen.lump_sum, pence=True),
        W + "lump": chosen.lump_sum,
        W + "unit": "£1" if chosen.unit == 1 else "£0.01",
        W + "census": chosen.census_date,
        W + "as_of": chosen.as_of,
        W + "pending": chosen.include_pending,
        W + "treat": list(chosen.treat_as_accredited),
        W + "missing": chosen.accept_missing_census,
        W + "rate": float(chosen.day_rate),
        W + "weeks": float(chosen.weeks_per_year),
        PLAN: chosen.changes,
        W + "slice": _slice_text(chosen),
        W + "slice_text": _slice_text(chosen),
        W + "loss": float(chosen.protect_loss) if chosen.protect_loss is not None else None,
        W + "gain": float(chosen.protect_gain) if chosen.protect_gain is not None else None,
        W + "manager": float(chosen.manager_cost) if chosen.manager_cost is not None else None,
    }


def _seed(chosen: AllocationSettings) -> None:
    """Put a scenario into the sidebar widgets (before they are drawn in this run)."""
    st.session_state.update(_seeded(chosen))
    st.session_state.pop(W + "as_of_pick", None)
    st.session_state.pop(W + "census_pick", None)


def _restore_dropped() -> None:
    """Put back the sidebar values Streamlit dropped. A click on another page that arrives before
    the browser has drawn the sidebar (a busy machine, a quick hand) tells Streamlit that those
    widgets are gone, and it forgets their values: the slider would then show £0 and the page
    fail on a missing setting. The last run's scenario fills only what is missing, so nothing
    the user has just changed is overwritten."""
    state = st.session_state
    last = state.get(SETTINGS)
    if last is None:
        return
    for key, value in _seeded(last).items():
        if key not in state:
            state[key] = value


def slider_top(total: Decimal) -> int:
    """The top of the slider's range for this pot (see SLIDER_STRETCH)."""
    if total <= SLIDER_MAX:
        return SLIDER_MAX
    millions = (total / SLIDER_STRETCH).to_integral_value(rounding=ROUND_CEILING)
    return min(int(millions) * SLIDER_STRETCH, SLIDER_CEILING)


@functools.cache
def _slider_scale(top: int) -> tuple[tuple[int, ...], dict[int, str]]:
    """The slider's steps up to ``top`` and their labels, made once per range: a rerun would
    otherwise spend its time formatting thousands of labels."""
    options = tuple(range(0, top + SLIDER_STEP, SLIDER_STEP))
    return options, {value: money(value) for value in options}


def _nearest_option(total: Decimal) -> int:
    return int(min(max(total, Decimal(0)), Decimal(slider_top(total))) // SLIDER_STEP * SLIDER_STEP)


def touch() -> None:
    """Say that this run's scenario comes from the user's own control, not from the address."""
    st.session_state[TOUCHED] = True


def _from_slider() -> None:
    touch()
    value = Decimal(st.session_state[POT_SLIDER])
    st.session_state[W + "total"] = value
    st.session_state[W + "total_text"] = money(value, pence=True)


def _from_total_text() -> None:
    _money_text("total", "The total pot")


def _from_lump_text() -> None:
    _money_text("lump", "The lump sum", blank_is_none=True)


def _money_text(name: str, what: str, *, blank_is_none: bool = False) -> None:
    """Typed pounds ("£600,000", "600000.50"): kept when valid, otherwise the last good value
    stays in force and the sidebar says why. Where ``blank_is_none``, a cleared box is £0 and
    stays blank (the pot has no "none": a cleared total is refused like any unusable text)."""
    touch()
    text = st.session_state[W + name + "_text"]
    if blank_is_none and not text.strip():
        st.session_state[W + name] = Decimal(0)
        st.session_state[W + name + "_text"] = ""
        return
    try:
        value = to_money(text, what)
    except AllocationRefused as problem:
        st.session_state[TYPED_PROBLEMS] = [str(problem)]
        st.session_state[W + name + "_text"] = money(st.session_state[W + name], pence=True)
        return
    st.session_state[W + name] = value
    st.session_state[W + name + "_text"] = money(value, pence=True)
    if name == "total":
        st.session_state[POT_SLIDER] = _nearest_option(value)


def _slice_text(chosen: AllocationSettings) -> str:
    if chosen.top_slice_pct is not None:
        return f"{chosen.top_slice_pct.normalize():f}%"
    return money(chosen.top_slice, pence=True) if chosen.top_slice else ""


class _TopSlice(TypedDict):
    top_slice: Decimal
    top_slice_pct: Decimal | None


def _top_slice(text: str) -> _TopSlice:
    """The top-slice box takes pounds ("£50,000") or a percentage ("10%"); blank is none.
    Read as the settings read it (AllocationRefused when it cannot be)."""
    text = text.strip()
    if not text:
        return {"top_slice": Decimal(0), "top_slice_pct": None}
    if text.endswith("%"):
        return {"top_slice": Decimal(0), "top_slice_pct": to_percent(text, "County top-slice", Decimal(100))}
    return {"top_slice": to_money(text, "County top-slice"), "top_slice_pct": None}


def _from_slice_text() -> None:
    """Kept when it makes a valid setting; otherwise the last good one stays and the sidebar says why."""
    touch()
    text = st.session_state[W + "slice_text"]
    try:
        chosen = AllocationSettings(total=st.session_state[W + "total"], **_top_slice(text))
        if chosen.top_slice > chosen.total:
            raise AllocationRefused(f"County top-slice: {pounds(chosen.top_slice)} is more than the pot {pounds(chosen.total)}")
    except AllocationRefused as problem:
        st.session_state[TYPED_PROBLEMS] = [str(problem)]
        st.session_state[W + "slice_text"] = st.session_state[W + "slice"]
        return
    st.session_state[W + "slice"] = text.strip()


def _kept_if_blank(name: str, field: str, said: str) -> None:
    """A number that cannot be none (the day rate, the weeks): a cleared box keeps the value in
    force and the sidebar says so, instead of the box falling back unseen to its lowest value."""
    touch()
    if st.session_state[W + name] is None:
        kept = getattr(current(), field)
        st.session_state[W + name] = float(kept)
        st.session_state[PROBLEMS] = [said.format(pounds=pounds(kept), number=f"{kept.normalize():f}")]


def _reset() -> None:
    """The money settings go back to the defaults; a draft plan stays (it has its own button)."""
    touch()
    _seed(AllocationSettings(total=Decimal(config.DEFAULT_TOTAL), changes=st.session_state.get(PLAN, ())))


def treat_as_accredited(codes: tuple[str, ...]) -> None:
    """Fund these partnerships in this scenario whatever their accreditation: the sidebar's
    what-if, set by a page's button (a callback, so the rerun draws the sidebar with it)."""
    touch()
    st.session_state[W + "treat"] = list(codes)


def set_plan(changes: tuple[PlanChange, ...]) -> None:
    """Replace the session's draft plan (the Plan page's buttons call this before the rerun)."""
    touch()
    st.session_state[PLAN] = plan.effective(changes)


def _discard_plan() -> None:
    set_plan(())


def sidebar() -> AllocationSettings:
    """Draw the scenario controls in the sidebar and return the settings for this run."""
    state = st.session_state
    from_url = _url_scenario()
    touched = state.pop(TOUCHED, False)
    if PUBLISHED not in state or (from_url and from_url != state[PUBLISHED] and not touched):
        chosen, problems = links.from_query(from_url)
        _seed(chosen)
        state[PROBLEMS] = [*state.get(PROBLEMS, []), *problems]
    else:
        _restore_dropped()

    reference = queries.reference_date()
    with st.sidebar:
        st.header(
            "Scenario",
            help="These settings apply on every page and are kept in the page's address, so a link opens the same scenario.",
        )
        total = state[W + "total"]
        top = slider_top(total)
        options, labels = _slider_scale(top)
        st.select_slider(
            "Total pot",
            options,
            key=POT_SLIDER,
            on_change=_from_slider,
            format_func=labels.__getitem__,
            help=f"Drag, or use the arrow keys, in steps of £1,000. It goes up to {money(SLIDER_MAX)}, or to the "
            f"next whole million above a larger exact total (up to {money(SLIDER_CEILING)}).",
        )
        if total > top:
            st.caption(
                plain(
                    f"The pot, {money(total, pence=True)}, is beyond the slider's range (up to {money(top)}): "
                    "the exact total below is the one used."
                )
            )
        st.text_input(
            "Exact total",
            key=W + "total_text",
            on_change=_from_total_text,
            help="Type any amount in pounds and pence, for example £612,345.67, then press Enter.",
        )
        with st.expander("More settings", icon=":material/tune:"):
            chosen = _more_settings(reference)
        for problem in state.pop(PROBLEMS, []):  # the link's values that could not be used
            st.warning(plain(problem), icon=":material/link_off:")
        for problem in state.pop(TYPED_PROBLEMS, []):  # a typed amount that could not be read
            st.warning(plain(problem), icon=":material/error:")
        _plan_note(chosen)
        st.caption(plain(links.summary(chosen)))
        st.button(
            "Reset to the defaults",
            on_click=_reset,
            icon=":material/restart_alt:",
            help="Back to the default pot and settings on every page (a draft membership plan is kept).",
        )
    _remember(chosen)
    state[SETTINGS] = chosen
    wanted = links.to_query(chosen)
    other = {k: v for k, v in st.query_params.to_dict().items() if k not in links.KEYS}
    if from_url != wanted:
        st.query_params.from_dict({**other, **wanted})
    state[PUBLISHED] = wanted
    return chosen


def _plan_note(chosen: AllocationSettings) -> None:
    """Say on every page when the figures are of a draft map, or why a plan is set aside."""
    set_aside = st.session_state.get(PLAN_SET_ASIDE)
    if st.session_state.get(PLAN_LOADED):
        st.info(plain(already_loaded_text(len(st.session_state.get(PLAN, ())))), icon=":material/task_alt:")
    elif set_aside:
        st.error(
            plain(
                "The draft membership plan does not fit the loaded data, so the figures are of the loaded "
                "rosters: "
                + "; ".join(set_aside[:3])
                + ("; …" if len(set_aside) > 3 else "")
                + ". Fix or discard it on the Plan page."
            ),
            icon=":material/rule:",
        )
    elif chosen.changes:
        count = len(chosen.changes)
        st.info(
            plain(
                f"Draft membership plan: {count} change{'s' if count != 1 else ''}. Every page shows the map "
                "and money as they would be after it; nothing is loaded until a data officer approves it."
            ),
            icon=":material/edit_road:",
        )
    if chosen.changes or set_aside or st.session_state.get(PLAN_LOADED):
        st.button("Discard the draft plan", on_click=_discard_plan, icon=":material/delete_sweep:", key=W + "discard_plan")


def already_loaded_text(changes: int) -> str:
    return (
        f"This plan is already loaded: its {changes} change{'s are' if changes != 1 else ' is'} on the loaded rosters, "
        "so every page shows the loaded rosters. Discard it to start a new plan."
    )


def _usable_plan(as_of: dt.date | None) -> tuple[PlanChange, ...]:
    """The session's plan if it fits the data on the day; otherwise none, with the reasons kept
    (or, when the loaded rosters already make every change, that it is loaded)."""
    changes = st.session_state.get(PLAN, ())
    problems = queries.plan_problems(changes, as_of) if changes else []
    loaded = bool(problems) and queries.plan_already_loaded(changes, as_of)
    st.session_state[PLAN_LOADED] = loaded
    st.session_state[PLAN_SET_ASIDE] = [] if loaded else problems
    return () if problems else changes


def _more_settings(reference: dt.date | None) -> AllocationSettings:
    state = st.session_state
    st.text_input(
        "Lump sum per funded partnership",
        key=W + "lump_text",
        on_change=_from_lump_text,
        placeholder="none",
        help="Given to every funded partnership first; the rest is shared by Year 10. Blank: none.",
    )
    st.radio(
        "Round amounts to",
        ["£1", "£0.01"],
        key=W + "unit",
        horizontal=True,
        help=f"Amounts are rounded by largest remainder, so they still add up exactly to the pot. {exports.ALABAMA_PARADOX}",
    )
    default_as_of = reference or dt.date.today()
    as_of = st.date_input(
        "Memberships and accreditation as of",
        value=state[W + "as_of"] or default_as_of,
        format="DD/MM/YYYY",
        key=W + "as_of_pick",
        help=(
            "Defaults to the data's reference date, " + f"{clock.day_text(reference)}."
            if reference
            else "Defaults to today (the data declares no reference date)."
        ),
    )
    state[W + "as_of"] = None if as_of == default_as_of else as_of
    st.toggle(
        "Fund partnerships pending accreditation",
        key=W + "pending",
        help="Off: only accredited partnerships are funded (the council's rule).",
    )
    changes = _usable_plan(state[W + "as_of"])
    accreditation = queries.accreditation(state[W + "as_of"], changes)
    names = dict(accreditation.select("partnership_code", "partnership_name").rows())
    not_accredited = [c for c, s in accreditation.select("partnership_code", "status").rows() if s != "accredited"]
    state[W + "treat"] = [c for c in state[W + "treat"] if c in not_accredited]
    st.multiselect(
        "Treat as accredited (what-if)",
        not_accredited,
        key=W + "treat",
        format_func=lambda c: f"{c} — {names.get(c, c)}",
        help="Fund these partnerships in this scenario whatever their recorded accreditation.",
    )
    census = _census_choice(state[W + "as_of"], changes)
    state[W + "census"] = census
    st.checkbox(
        "Allocate even if member schools have no Year 10 figure",
        key=W + "missing",
        help="Normally refused: a school without a figure would silently add nothing to its partnership.",
    )
    st.text_input(
        "County top-slice (£ or %)",
        key=W + "slice_text",
        on_change=_from_slice_text,
        placeholder="none",
        help="Taken off the pot first for the county's strategic support, for example £50,000 or 10% (rounded down "
        "to the unit); the rest is shared as usual. Blank: none.",
    )
    left, right = st.columns(2)
    # value=None on the three levers that may be none: a box with a starting number cannot be
    # cleared in the browser, which puts its lowest value back (0%, 0%, £1) instead of none.
    left.number_input(
        "Loss limit (%)",
        value=None,
        placeholder="no floor",
        min_value=0.0,
        max_value=100.0,
        step=5.0,
        format="%.2f",
        key=W + "loss",
        help="Transition protection: no funded partnership gets less than (100 − this)% of its previous "
        "2008/9 amount. Blank: no floor.",
    )
    right.number_input(
        "Gain limit (%)",
        value=None,
        placeholder="no cap",
        min_value=0.0,
        max_value=float(MAX_GAIN_PERCENT),
        step=5.0,
        format="%.2f",
        key=W + "gain",
        help="No funded partnership gets more than (100 + this)% of its previous amount. Blank: no cap.",
    )
    st.number_input(
        "Manager cost (£ a year)",
        value=None,
        placeholder="none: days at the day rate",
        min_value=1.0,
        max_value=float(MAX_POUNDS),
        step=1000.0,
        format="%.2f",
        key=W + "manager",
        help="A full-time partnership manager's yearly cost, on-costs included: FTE = amount ÷ this and "
        "days per week = FTE × 5. Blank: days at the day rate below.",
    )
    left, right = st.columns(2)
    rate = left.number_input(
        "Day rate (£)",
        value=None,
        min_value=1.0,
        max_value=float(MAX_POUNDS),
        step=10.0,
        format="%.2f",
        key=W + "rate",
        on_change=_kept_if_blank,
        args=("rate", "day_rate", "The day rate cannot be blank; it stays {pounds}."),
        help="Cost of one day of partnership-manager time. It cannot be blank.",
    )
    weeks = right.number_input(
        "Weeks per year",
        value=None,
        min_value=1.0,
        max_value=52.0,
        step=1.0,
        format="%.0f",
        key=W + "weeks",
        on_change=_kept_if_blank,
        args=("weeks", "weeks_per_year", "Weeks per year cannot be blank; it stays {number}."),
        help="Weeks a year the manager works (39 school weeks by default). It cannot be blank.",
    )
    return AllocationSettings(
        total=state[W + "total"],
        lump_sum=state[W + "lump"],
        unit=Decimal("1") if state[W + "unit"] == "£1" else Decimal("0.01"),
        census_date=census,
        include_pending=state[W + "pending"],
        day_rate=_hundredths(rate) if rate is not None else current().day_rate,
        weeks_per_year=_hundredths(weeks) if weeks is not None else current().weeks_per_year,
        as_of=state[W + "as_of"],
        treat_as_accredited=tuple(state[W + "treat"]),
        accept_missing_census=state[W + "missing"],
        changes=changes,
        **_top_slice(state[W + "slice"]),
        protect_loss=_hundredths_or_none(state[W + "loss"]),
        protect_gain=_hundredths_or_none(state[W + "gain"]),
        manager_cost=_hundredths_or_none(state[W + "manager"]),
    )


def _hundredths(value: float) -> Decimal:
    """A number box's value as the Decimal it shows (two decimal places)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _hundredths_or_none(value: float | None) -> Decimal | None:
    return None if value is None else _hundredths(value)


def _census_choice(as_of: dt.date | None, changes: tuple[PlanChange, ...]) -> dt.date | None:
    """The census picker; None means "the default census" (the latest complete one)."""
    state = st.session_state
    options = queries.census_dates()
    if not options:
        st.caption("No census is loaded.")
        return None
    default = queries.default_census(as_of, state[W + "pending"], tuple(state[W + "treat"]), changes) or options[0]
    if state[W + "census"] is not None and state[W + "census"] not in options:
        st.warning(
            plain(f"No census of {clock.day_text(state[W + 'census'])} is loaded; using the default."), icon=":material/link_off:"
        )
    wanted = state[W + "census"] if state[W + "census"] in options else default
    picked = st.selectbox(
        "Census",
        options,
        index=options.index(wanted),
        key=W + "census_pick",
        format_func=lambda d: clock.day_text(d) + (" (default: latest complete)" if d == default else ""),
        help="The default is the latest census with a Year 10 figure for every member school of the funded partnerships.",
    )
    return None if picked == default else picked


def _remember(chosen: AllocationSettings) -> None:
    """Keep the settings that this run's change replaced, whatever made it (a sidebar control, a
    link, the browser's Back), so Undo can bring them back."""
    state = st.session_state
    last = state.get(SETTINGS)
    if state.pop(UNDOING, False) or last is None or last == chosen:
        return
    history = state.setdefault(HISTORY, [])
    history.append(last)
    del history[:-HISTORY_LIMIT]


def previous() -> AllocationSettings | None:
    """The settings Undo would bring back (None: nothing has changed in this session)."""
    history = st.session_state.get(HISTORY)
    return history[-1] if history else None


def undo() -> None:
    """Bring back the settings before the last change (a button's callback: the sidebar and the
    address follow in the rerun, as for any other change, so Back still steps through them)."""
    history = st.session_state.get(HISTORY)
    if not history:
        return
    touch()
    _seed(history.pop())
    st.session_state[UNDOING] = True
