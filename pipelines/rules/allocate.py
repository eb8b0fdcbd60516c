"""Run the allocation, gaps and attribution macros with bound parameters.

One module for the command line and the dashboard, so both compute the same figures from the
same SQL. Money goes in as Decimal and comes out as Decimal; nothing passes through a float.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, Unpack

import duckdb
import polars as pl

from pipelines.base import config, typed_values
from pipelines.base.money import pounds
from pipelines.base.refusals import AllocationRefused
from pipelines.rules import plan
from pipelines.store import db

# The settings are read as every value a person types is (pipelines/base/typed_values.py); the
# sidebar's boxes read pounds and percentages with these too.
to_money = typed_values.read_money
to_percent = typed_values.read_percent


@dataclass(frozen=True)
class AllocationSettings:
    """Everything that decides an allocation; written into every export."""

    total: Decimal
    lump_sum: Decimal = Decimal("0")
    unit: Decimal = Decimal("1")
    census_date: dt.date | None = None  # None: the latest census complete for the funded partnerships
    include_pending: bool = False
    day_rate: Decimal = Decimal(config.DEFAULT_DAY_RATE)
    weeks_per_year: Decimal = Decimal(config.DEFAULT_WEEKS_PER_YEAR)
    as_of: dt.date | None = None  # None: the data's reference date, else today
    treat_as_accredited: tuple[str, ...] = ()
    # A funded member school with no Year 10 figure on the census refuses the allocation unless
    # this is set: its partnership would silently lose its share to the others.
    accept_missing_census: bool = False
    # A draft membership plan: the figures are those of the map after these changes (see
    # pipelines.rules.plan). Nothing in the store changes until the plan's roster is loaded.
    changes: tuple[plan.PlanChange, ...] = ()
    # The funding structure's levers (see sql/macros/050_allocation.sql): the county's top-slice
    # (pounds, or per cent of the pot), transition protection against the previous amounts (per
    # cent lost or gained at most), and a full-time manager's yearly cost for the staffing figures.
    top_slice: Decimal = Decimal("0")
    top_slice_pct: Decimal | None = None
    protect_loss: Decimal | None = None
    protect_gain: Decimal | None = None
    manager_cost: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", to_money(self.total, "the total"))
        object.__setattr__(self, "lump_sum", to_money(self.lump_sum, "the lump sum"))
        object.__setattr__(self, "day_rate", to_money(self.day_rate, "the day rate", above_zero=True))
        object.__setattr__(self, "weeks_per_year", typed_values.read_weeks(self.weeks_per_year))
        units = [Decimal(u) for u in config.ROUNDING_UNITS]
        try:
            unit: Decimal | None = typed_values.read_number(self.unit, "the rounding unit", min(units), max(units), "pounds")
        except typed_values.Unusable:
            unit = None
        if unit is None or unit not in units:
            raise typed_values.Unusable("the rounding unit", self.unit, "£1 or £0.01")
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "treat_as_accredited", tuple(sorted(set(self.treat_as_accredited))))
        object.__setattr__(self, "changes", plan.effective(self.changes))
        object.__setattr__(self, "top_slice", to_money(self.top_slice, "the top-slice"))
        if self.manager_cost is not None:
            object.__setattr__(self, "manager_cost", to_money(self.manager_cost, "the manager cost", above_zero=True))
        for name, what, top in (
            ("top_slice_pct", "the top-slice percentage", Decimal(100)),
            ("protect_loss", "the loss limit", Decimal(100)),
            ("protect_gain", "the gain limit", typed_values.MAX_GAIN_PERCENT),
        ):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, to_percent(value, what, top))
        if self.top_slice_pct is not None and self.top_slice:
            raise AllocationRefused("give the top-slice as an amount or as a percentage, not both")

    def parameters(self) -> dict[str, object]:
        return {
            "total": self.total,
            "lump_sum": self.lump_sum,
            "unit": self.unit,
            "day_rate": self.day_rate,
            "weeks_per_year": self.weeks_per_year,
            "census_date": self.census_date,
            "include_pending": self.include_pending,
            "as_of": self.as_of,
            "treat_as_accredited": list(self.treat_as_accredited),
            "accept_missing_census": self.accept_missing_census,
            "top_slice": self.top_slice,
            "top_slice_pct": self.top_slice_pct,
            "protect_loss": self.protect_loss,
            "protect_gain": self.protect_gain,
            "manager_cost": self.manager_cost,
        }

    def _protection_words(self) -> str:
        """Each side said, set or not: a lever left blank is none, and the file says so."""
        if self.protect_loss is None and self.protect_gain is None:
            return "none (no floor, no cap)"
        floor = (
            f"no funded partnership below {100 - self.protect_loss}% of its previous amount"
            if self.protect_loss is not None
            else "no floor"
        )
        cap = f"none above {100 + self.protect_gain}% of its previous amount" if self.protect_gain is not None else "no cap"
        return f"{floor}; {cap}"

    def describe(self) -> list[tuple[str, str]]:
        """The settings in words, for the About sheet and the terminal."""
        return [
            ("Total pot", f"{pounds(self.total)}"),
            ("Lump sum per funded partnership", f"{pounds(self.lump_sum)}" if self.lump_sum else "none"),
            ("Rounding unit", "£1" if self.unit == 1 else "£0.01"),
            (
                "Census date",
                self.census_date.isoformat()
                if self.census_date
                else "latest with Year 10 figures for every funded partnership's schools",
            ),
            (
                "Memberships and accreditation as of",
                self.as_of.isoformat() if self.as_of else "the data's reference date (else the day it was produced)",
            ),
            ("Schools missing from the census accepted (counted as 0)", "yes" if self.accept_missing_census else "no"),
            ("Pending accreditation counts as funded", "yes" if self.include_pending else "no"),
            ("Treated as accredited in this scenario", ", ".join(self.treat_as_accredited) or "none"),
            (
                "County top-slice",
                f"{self.top_slice_pct}% of the pot, rounded down to the unit"
                if self.top_slice_pct is not None
                else f"{pounds(self.top_slice)}"
                if self.top_slice
                else "none",
            ),
            ("Transition protection against the 2008/9 amounts", self._protection_words()),
            (
                "Staffing figures",
                f"FTE = amount ÷ {pounds(self.manager_cost)} (a full-time manager's yearly cost); days/week = FTE × 5"
                if self.manager_cost is not None
                else "no manager cost: days/week = amount ÷ (day rate × weeks per year); FTE = days/week ÷ 5",
            ),
            ("Day rate", f"{pounds(self.day_rate)}"),
            ("Weeks per year", f"{self.weeks_per_year}"),
            (
                "Membership plan (draft: not in the store)",
                "; ".join(c.describe() for c in self.changes) if self.changes else "none: the loaded rosters",
            ),
        ]


def allocate(
    con: duckdb.DuckDBPyConnection,
    chosen: AllocationSettings,
    default_census_date: dt.date | None = None,
    roster: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per partnership; raises AllocationRefused with the macro's reason.

    With no census chosen, the default census (the SQL rule in default_census_date) is worked
    out first, unless the caller already knows it: a separate small query, so the allocation
    itself runs on a named census, three times quicker than with the default inside it.
    With a membership plan, on the plan's draft map (``roster``: its proposed roster, if the
    caller has it already)."""
    with plan.draft(con, chosen.changes, chosen.as_of, roster) as on_map:
        return _allocate(on_map, chosen, default_census_date)


def _allocate(con: duckdb.DuckDBPyConnection, chosen: AllocationSettings, default_census_date: dt.date | None) -> pl.DataFrame:
    params = chosen.parameters()
    params["census_defaulted"] = chosen.census_date is None
    if chosen.census_date is None:
        params["census_date"] = (
            default_census_date
            or default_census(
                con, as_of=chosen.as_of, include_pending=chosen.include_pending, treat_as_accredited=chosen.treat_as_accredited
            )["census_date"]
        )
    try:
        return con.sql(db.read_sql("reports/allocation.sql"), params=params).pl()
    except duckdb.InvalidInputException as exc:
        message = str(exc).split("allocation refused: ", 1)
        if len(message) == 2:
            raise AllocationRefused(message[1].strip()) from None
        raise
    except (duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
        raise AllocationRefused(f"a setting is out of range for the calculation ({exc})") from None


class MapSettings(TypedDict, total=False):
    """The settings the gaps of a map depend on, as keywords, each optional (the defaults:
    map_settings): one list for the gaps, the suggestions and the best plan's search."""

    as_of: dt.date | None  # None: the data's reference date, else today
    census_date: dt.date | None  # None: the default census (see default_census)
    include_pending: bool
    travel_km: float
    treat_as_accredited: tuple[str, ...]


class DraftMapSettings(MapSettings, total=False):
    """The same, on a membership plan's draft map (``roster``: its proposed roster, if the caller
    has it already)."""

    changes: tuple[plan.PlanChange, ...]
    roster: pl.DataFrame | None


def map_settings(given: MapSettings) -> MapSettings:
    """Every setting of ``given``, with the default of each left out."""
    return {
        "as_of": given.get("as_of"),
        "census_date": given.get("census_date"),
        "include_pending": given.get("include_pending", False),
        "travel_km": given.get("travel_km", config.DEFAULT_TRAVEL_KM),
        "treat_as_accredited": tuple(given.get("treat_as_accredited", ())),
    }


def coverage_gaps(con: duckdb.DuckDBPyConnection, **settings: Unpack[DraftMapSettings]) -> pl.DataFrame:
    """The gaps of the map (after a membership plan's changes, if there are any)."""
    return _gap_kind("reports/coverage_gaps.sql", con, settings)


def membership_suggestions(
    con: duckdb.DuckDBPyConnection, *, alternatives: int = config.SUGGESTED_ALTERNATIVES, **settings: Unpack[DraftMapSettings]
) -> pl.DataFrame:
    """For each gap a membership change can close, the changes that would, best first: on the
    same settings as the gaps, so the two always agree (see the macro)."""
    return _gap_kind("reports/membership_suggestions.sql", con, settings, alternatives=alternatives)


def _gap_kind(report: str, con: duckdb.DuckDBPyConnection, settings: DraftMapSettings, **extra: object) -> pl.DataFrame:
    chosen = map_settings(settings)
    as_of, include_pending, treat = chosen["as_of"], chosen["include_pending"], chosen["treat_as_accredited"]
    with plan.draft(con, settings.get("changes", ()), as_of, settings.get("roster")) as on_map:
        if chosen["census_date"] is None:  # the default, worked out first (see allocate)
            chosen["census_date"] = default_census(
                on_map, as_of=as_of, include_pending=include_pending, treat_as_accredited=treat
            )["census_date"]
        params = {**chosen, "treat_as_accredited": list(treat), **extra}
        return on_map.sql(db.read_sql(report), params=params).pl()


def year10_attribution(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    census_date: dt.date | None = None,
    changes: tuple[plan.PlanChange, ...] = (),
) -> pl.DataFrame:
    with plan.draft(con, changes, as_of) as on_map:
        return on_map.sql(db.read_sql("reports/year10_attribution.sql"), params={"as_of": as_of, "census_date": census_date}).pl()


def dataset_info(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The data's name, reference date (None: the store has none, so as-of means today),
    description and source, so a page can say which day its figures are as of."""
    return con.sql(db.read_sql("reports/dataset_info.sql")).pl().row(0, named=True)


def dataset_name(con: duckdb.DuckDBPyConnection) -> str | None:
    """What the store's data is called (its authority, scheme and census): files that travel say it."""
    name = dataset_info(con)["name"]
    return str(name) if name else None


def default_census(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    include_pending: bool = False,
    treat_as_accredited: tuple[str, ...] = (),
    changes: tuple[plan.PlanChange, ...] = (),
) -> dict[str, Any]:
    """The census used when none is chosen: census_date, complete (False: no census has every
    funded school, so an allocation on it is refused unless missing figures are accepted),
    latest_census_date and the effective as_of."""
    params = {"as_of": as_of, "include_pending": include_pending, "treat_as_accredited": list(treat_as_accredited)}
    with plan.draft(con, changes, as_of) as on_map:
        return on_map.sql(db.read_sql("reports/default_census.sql"), params=params).pl().row(0, named=True)


def gap_codes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(db.read_sql("reports/gap_codes.sql")).pl()


def loaded_files(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(db.read_sql("reports/loaded_files.sql")).pl()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A short fingerprint of the files behind the store: it changes whenever any load does."""
    files = loaded_files(con)
    digest = hashlib.sha256("\n".join(f"{k}:{s}" for k, s in files.select("kind", "sha256").rows()).encode())
    return digest.hexdigest()[:12]


def summarise(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> dict:
    """The allocation's totals (sum of amounts, Year 10 of funded and of all partnerships ...),
    computed in SQL over the rows already made, for the command line and the dashboard."""
    cursor = con.cursor()
    # A decision's frozen lines carry no census or day of their own: those come back empty.
    wanted: dict[str, pl.DataType | type[pl.DataType]] = {
        "partnership_code": pl.String,
        "partnership_name": pl.String,
        "amount": pl.Decimal(18, 2),
        "funded": pl.Boolean,
        "year10": pl.Decimal(18, 4),
        "previous_amount": pl.Decimal(18, 2),
        "change": pl.Decimal(18, 2),
        "days_per_week": pl.Decimal(18, 2),
        "fte": pl.Decimal(18, 3),
        "pot_per_year10": pl.Decimal(18, 2),
        "census_date": pl.Date,
        "as_of": pl.Date,
        "top_slice": pl.Decimal(18, 2),
    }
    rows = frame.select(pl.col(c) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in wanted.items())
    try:
        cursor.register("allocation_rows", rows.to_arrow())
        return cursor.sql(db.read_sql("reports/allocation_summary.sql")).pl().row(0, named=True)
    finally:
        cursor.close()


def overview_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    census_date: dt.date | None = None,
    include_pending: bool = False,
    treat_as_accredited: tuple[str, ...] = (),
    changes: tuple[plan.PlanChange, ...] = (),
    roster: pl.DataFrame | None = None,
) -> dict:
    """The headline counts of the map and of Year 10 for one scenario (see the SQL): they do
    not depend on the pot, so they take only what they do depend on."""
    params = {
        "as_of": as_of,
        "census_date": census_date,
        "include_pending": include_pending,
        "treat_as_accredited": list(treat_as_accredited),
    }
    with plan.draft(con, changes, as_of, roster) as on_map:
        return on_map.sql(db.read_sql("reports/overview_figures.sql"), params=params).pl().row(0, named=True)
