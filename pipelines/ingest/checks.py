"""The rules of each kind of file beyond its cell types: keys, cross-column sense, and
agreement with what the store already holds. Each returns the rows ready to write."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import polars as pl
from pyproj import Transformer

from pipelines.base import config
from pipelines.ingest import gias
from pipelines.ingest.gias import KNOWN_TYPES
from pipelines.ingest.layouts import NC_YEARS, year_column
from pipelines.ingest.problems import Problem, Report
from pipelines.ingest.raw_table import ROW
from pipelines.ingest.validate import duplicate_problems
from pipelines.store.context import StoreContext

_BNG_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _rows(frame: pl.DataFrame, condition: pl.Expr, *columns: str) -> list[tuple]:
    return frame.filter(condition).select(ROW, *columns).sort(ROW).rows()


def _flag(
    report: Report, file: str, found: pl.DataFrame, column: str, expected: str, severity: str = "error", check: str = "value"
) -> None:
    """One problem per row found, in row order, each showing the row's own value in ``column``.
    ``expected`` is a str.format template over the row's columns, so that each rule's message
    is written once yet names what the row holds ("... the opening date {opened}"); text put into
    it beforehand must hold no braces."""
    for cells in found.sort(ROW).iter_rows(named=True):
        report.add(Problem(file, cells[ROW], column, str(cells[column]), expected.format(**cells), severity, check))


def _not_before(typed: pl.DataFrame, file: str, report: Report, later: str, earlier: str, expected: str) -> None:
    """Rows whose ``later`` date (closing, leaving, review) comes before their ``earlier`` one."""
    _flag(report, file, typed.filter(pl.col(later) < pl.col(earlier)), later, expected)


def _dated_on(*columns: str) -> list[pl.Expr]:
    """The store names a date column for what happened on the day ("opened_on"); files use the
    plain word."""
    return [pl.col(column).alias(f"{column}_on") for column in columns]


def _first_row(frame: pl.DataFrame) -> int:
    """The smallest row number of a frame that has rows."""
    first = frame[ROW].min()
    assert isinstance(first, int)
    return first


# --- register ------------------------------------------------------------------------------


def check_register(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    already = len(report.problems)
    rows = _check_register(typed, file, ctx, report, layout)
    if layout == "gias":
        report.problems[already:] = [
            dataclasses.replace(p, column=gias.LABELS.get(p.column or "", p.column)) for p in report.problems[already:]
        ]
    return rows


def _check_register(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    if layout == "gias":
        _unknown_gias(typed, file, report)
        status = "EstablishmentStatus (name)"
        unread = typed.filter(gias.status_expr(status).is_null())
        _flag(report, file, unread, status, "a GIAS status: Open, Closed, Open but proposed to close, Proposed to open")
        typed = gias.to_register(typed).filter(pl.col("status").is_not_null())
    typed = typed.with_columns(pl.coalesce("urn", "ukprn").alias("institution_id"))
    for (row,) in _rows(typed, pl.col("institution_id").is_null()):
        report.add(Problem(file, row, "urn", None, "a URN or a UKPRN on every row", "error", "value"))
    # Rosters name members by URN or UKPRN, so each must point at one institution.
    report.extend(duplicate_problems(typed, file, ["urn"], "urn", "each URN"))
    report.extend(duplicate_problems(typed, file, ["ukprn"], "ukprn", "each UKPRN"))
    _ukprn_held_in_store(typed, file, ctx, report)
    _not_before(typed, file, report, "closed", "opened", "a closing date on or after the opening date {opened}")
    typed = _locate(typed, file, report)
    return typed.select(
        ROW,
        "institution_id",
        "urn",
        "ukprn",
        "name",
        "kind",
        "la_code",
        "district",
        "status",
        *_dated_on("opened", "closed"),
        "easting",
        "northing",
        "latitude",
        "longitude",
        "source",
    )


def _ukprn_held_in_store(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report) -> None:
    """A register file replaces the institutions it lists (by institution id) and keeps the
    rest (sql/load/register.sql), so a UKPRN the file gives one institution must not stay with
    another that the file leaves in the store: rosters could no longer tell which one it means."""
    listed = typed["institution_id"].drop_nulls().implode()
    kept = ctx.institutions.filter(pl.col("ukprn").is_not_null() & ~pl.col("institution_id").is_in(listed)).select(
        "ukprn", pl.col("urn").alias("holder_urn"), pl.col("name").alias("holder_name")
    )
    clashes = typed.filter(pl.col("ukprn").is_not_null()).join(kept, on="ukprn")
    for row, ukprn, holder_urn, holder_name in _rows(clashes, pl.lit(True), "ukprn", "holder_urn", "holder_name"):
        if holder_urn is None:
            holder = f"{holder_name} (UKPRN {ukprn}, no URN)"
            remedy = (
                "correct the UKPRN on this row or, if it is the same provider, leave the row out: the store knows it by its UKPRN"
            )
        else:
            holder = f"{holder_name} (URN {holder_urn})"
            remedy = f"correct the UKPRN on this row, or list URN {holder_urn} in this file with its UKPRN corrected or blank"
        expected = f"a UKPRN no other institution holds ({holder} already has it in the store; {remedy})"
        report.add(Problem(file, row, "ukprn", str(ukprn), expected, "error", "duplicate"))


def _unknown_gias(typed: pl.DataFrame, file: str, report: Report) -> None:
    column = "TypeOfEstablishment (name)"
    unknown = typed.filter(~pl.col(column).is_in(KNOWN_TYPES) & pl.col(column).is_not_null())
    first_rows = unknown.group_by(column).agg(pl.col(ROW).min(), pl.len().alias("count"))
    expected = "a GIAS establishment type we know; {count} row(s) of this type were loaded as kind 'other'"
    _flag(report, file, first_rows, column, expected, "warning", "gias_type")


def _locate(typed: pl.DataFrame, file: str, report: Report) -> pl.DataFrame:
    """Latitude/longitude from the file, or converted from British National Grid. Each
    coordinate's own range (inside Great Britain) is the layout's, checked with the cells; a
    grid position can still convert to a point outside it (in the sea off the coast)."""
    for first, second in (("latitude", "longitude"), ("easting", "northing")):
        for row, _, b in _rows(typed, pl.col(first).is_null() != pl.col(second).is_null(), first, second):
            missing = second if b is None else first
            report.add(Problem(file, row, missing, None, f"both {first} and {second}, or neither", "error", "coordinates"))
    converted = typed["latitude"].is_null() & typed["easting"].is_not_null() & typed["northing"].is_not_null()
    if converted.any():
        lon, lat = _BNG_TO_WGS84.transform(typed["easting"].fill_null(0).to_numpy(), typed["northing"].fill_null(0).to_numpy())
        typed = typed.with_columns(
            pl.when(converted).then(pl.Series(lat)).otherwise(pl.col("latitude")).round(6).alias("latitude"),
            pl.when(converted).then(pl.Series(lon)).otherwise(pl.col("longitude")).round(6).alias("longitude"),
        )
    typed = typed.with_columns(pl.Series("converted", converted))
    lat_lo, lat_hi = config.GB_LATITUDE
    lon_lo, lon_hi = config.GB_LONGITUDE
    outside = pl.col("converted") & ~(
        pl.col("latitude").is_between(lat_lo, lat_hi) & pl.col("longitude").is_between(lon_lo, lon_hi)
    )
    for row, lat, lon, east, north in _rows(typed, outside, "latitude", "longitude", "easting", "northing"):
        expected = f"a grid position in Great Britain (it converts to {lat:.4f}, {lon:.4f})"
        report.add(Problem(file, row, "easting", f"{east:.0f}, {north:.0f}", expected, "error", "coordinates"))
    return typed.drop("converted")


# --- census --------------------------------------------------------------------------------


def check_census(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    """The file's figures as the store keeps them, in one frame written in one transaction
    (sql/load/census.sql): a row per school, census date and year with a headcount, and a row
    per school and census date with an FSM figure, whose year is blank."""
    if "fsm_eligible" not in typed.columns:  # the long layout has none
        typed = typed.with_columns(pl.lit(None, pl.Int64).alias("fsm_eligible"))
    if layout == "long":
        report.extend(duplicate_problems(typed, file, CENSUS_KEY + ["nc_year"], "urn", "each school, census date and year"))
        years = typed
    else:
        report.extend(duplicate_problems(typed, file, CENSUS_KEY, "urn", "each school and census date"))
        years = _year_rows(typed, file, report) if layout == "wide" else typed.clear().with_columns(*_NO_YEAR)
    _not_in_future(typed, file, "census_date", report, "a census date")
    fsm = typed.filter(pl.col("fsm_eligible").is_not_null()).with_columns(*_NO_YEAR)
    columns = [ROW, *CENSUS_KEY, "nc_year", "headcount", "fsm_eligible", "source"]
    rows = pl.concat([years.with_columns(pl.lit(None, pl.Int64).alias("fsm_eligible")).select(columns), fsm.select(columns)])
    known = ctx.institutions["urn"].drop_nulls()
    unknown = rows.filter(~pl.col("urn").is_in(known.implode()) & pl.col("urn").is_not_null())
    expected = "a URN in the register (kept, but not counted until the register lists it)"
    _flag(report, file, unknown.group_by("urn").agg(pl.col(ROW).min()), "urn", expected, "warning", "unknown_urn")
    _partial_census(years, file, ctx, report)
    return rows


CENSUS_KEY = ["urn", "census_date"]
# An FSM row's year and headcount, and a file without years' (the FSM layout).
_NO_YEAR = (pl.lit(None, pl.Int64).alias("nc_year"), pl.lit(None, pl.Int64).alias("headcount"))
YEAR_COLUMNS = {year_column(y): y for y in NC_YEARS}


def _year_rows(typed: pl.DataFrame, file: str, report: Report) -> pl.DataFrame:
    """A wide file's headcounts, one row per school, census date and year. A row with no year
    figure at all (the DfE's census gives none for independent and hospital schools) gives no
    year rows, with a warning, so a census cut from the DfE's file loads as it is; the cell
    checks (Layout.figures) refuse a row with some years and not others."""
    without = typed.filter(pl.all_horizontal(pl.col(name).is_null() for name in YEAR_COLUMNS))
    expected = (
        "a figure for at least one year (URN {urn} has none on this row, so no year groups were loaded for it; "
        "the DfE's census gives none for independent and hospital schools)"
    )
    for cells in without.sort(ROW).iter_rows(named=True):
        report.add(Problem(file, cells[ROW], None, None, expected.format(**cells), "warning", "no_figures"))
    given = [name for name in YEAR_COLUMNS if typed[name].is_not_null().any()]  # a file has a few years, not all 15
    if not given:
        return typed.clear().with_columns(*_NO_YEAR)
    return (
        typed.unpivot(index=[ROW, *CENSUS_KEY, "source"], on=given, variable_name="year", value_name="headcount")
        .filter(pl.col("headcount").is_not_null())
        .with_columns(pl.col("year").replace_strict(YEAR_COLUMNS, return_dtype=pl.Int64).alias("nc_year"))
    )


def _partial_census(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report) -> None:
    """A newer census with a handful of schools would become the latest one; warn before a
    figure for one school is taken for the county's census."""
    year10 = typed.filter((pl.col("nc_year") == 10) & pl.col("census_date").is_not_null() & pl.col("urn").is_not_null())
    if ctx.latest_census is None or year10.is_empty():
        return
    latest_date, latest_schools = ctx.latest_census
    newest = year10["census_date"].max()
    assert isinstance(newest, dt.date)  # the rows kept all have a census date
    if newest <= latest_date:
        return
    on_newest = year10.filter(pl.col("census_date") == newest)
    schools = on_newest["urn"].n_unique()
    if schools < config.PARTIAL_CENSUS_SHARE * latest_schools:
        expected = (
            f"a new census about as full as the latest: the {newest} census in this file has Year 10 figures for "
            f"{schools} school(s), the store's latest ({latest_date}) for {latest_schools}. Allocations keep using the "
            f"latest census that is complete for the funded partnerships; load the rest of the {newest} figures "
            "before choosing it"
        )
        report.add(Problem(file, _first_row(on_newest), "census_date", str(newest), expected, "warning", "partial_census"))


# --- roster --------------------------------------------------------------------------------


def check_roster(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    names = typed.group_by("partnership_code").agg(
        pl.col("partnership_name").first().alias("first_name"), pl.col(ROW).min().alias("first_row")
    )
    clash = typed.join(names, on="partnership_code").filter(pl.col("partnership_name") != pl.col("first_name"))
    expected = "the same name for the partnership on every row ({first_name!r} on row {first_row})"
    _flag(report, file, clash, "partnership_name", expected)
    _not_before(typed, file, report, "left", "joined", "a leaving date on or after the joining date {joined}")
    typed = _resolve_members(typed, file, ctx, report)
    _overlapping_memberships(typed, file, report)
    closed = typed.filter(pl.col("status") == "closed")
    expected = "an open institution ({member_name} is closed in the register; it will show as a gap)"
    _flag(report, file, closed, "member_id", expected, "warning", "closed_member")
    return typed.select(
        ROW, "partnership_code", "partnership_name", "institution_id", "role", *_dated_on("joined", "left"), "source"
    )


def _resolve_members(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report) -> pl.DataFrame:
    """A member may be named by URN or by UKPRN; either must be in the register."""
    register = ctx.institutions
    by_id = register.select(
        pl.col("institution_id").alias("member_id"), "institution_id", "status", pl.col("name").alias("member_name")
    )
    by_ukprn = register.filter(pl.col("ukprn").is_not_null() & (pl.col("ukprn") != pl.col("institution_id"))).select(
        pl.col("ukprn").alias("member_id"), "institution_id", "status", pl.col("name").alias("member_name")
    )
    lookup = pl.concat([by_id, by_ukprn])
    ambiguous = lookup.group_by("member_id").len().filter(pl.col("len") > 1)["member_id"]
    lookup = lookup.filter(~pl.col("member_id").is_in(ambiguous.implode()))
    shared = typed.filter(pl.col("member_id").is_in(ambiguous.implode()))
    _flag(report, file, shared, "member_id", "a UKPRN that names one institution (several share it; use the URN)", check="member")
    resolved = typed.join(lookup, on="member_id", how="left")
    unknown = resolved.filter(
        pl.col("institution_id").is_null() & pl.col("member_id").is_not_null() & ~pl.col("member_id").is_in(ambiguous.implode())
    )
    expected = "a URN or UKPRN in the register (load the register first, or correct the id)"
    _flag(report, file, unknown, "member_id", expected, check="member")
    return resolved


def _overlapping_memberships(typed: pl.DataFrame, file: str, report: Report) -> None:
    """The same institution listed twice in one partnership for overlapping periods."""
    far = dt.date(9999, 12, 31)
    spans = typed.filter(pl.col("institution_id").is_not_null()).select(
        ROW,
        "partnership_code",
        "institution_id",
        "member_id",
        "joined",
        pl.col("left").fill_null(far).alias("until"),
    )
    pairs = spans.join(spans, on=["partnership_code", "institution_id"], suffix="_other").filter(
        (pl.col(f"{ROW}_other") < pl.col(ROW))
        & (pl.col("joined") <= pl.col("until_other"))
        & (pl.col("joined_other") <= pl.col("until"))
    )
    first = pairs.group_by(ROW).agg(
        pl.col(f"{ROW}_other").min().alias("other_row"), pl.col("member_id").first(), pl.col("partnership_code").first()
    )
    expected = "each member once in partnership {partnership_code} (it is already on row {other_row} for an overlapping period)"
    _flag(report, file, first, "member_id", expected, check="duplicate")


# --- accreditation, health check, previous allocation ------------------------------------------


def _known_partnerships(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, severity: str) -> None:
    unknown = typed.filter(
        ~pl.col("partnership_code").is_in(sorted(ctx.partnership_codes)) & pl.col("partnership_code").is_not_null()
    )
    expected = (
        "a partnership with a loaded roster (load its roster first)"
        if severity == "error"
        else "a current partnership (kept, shown as previous-only)"
    )
    _flag(report, file, unknown, "partnership_code", expected, severity, "partnership")


def _not_in_future(typed: pl.DataFrame, file: str, column: str, report: Report, what: str = "a date") -> None:
    today = dt.date.today()
    _flag(report, file, typed.filter(pl.col(column) > today), column, f"{what} not after today ({today})")


def check_accreditation(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    _known_partnerships(typed, file, ctx, report, "error")
    report.extend(
        duplicate_problems(typed, file, ["partnership_code", "decided_on"], "decided_on", "each partnership and decision date")
    )
    _not_in_future(typed, file, "decided_on", report)
    _not_before(typed, file, report, "review_due", "decided_on", "a review date on or after the decision date {decided_on}")
    return typed.with_columns(pl.coalesce("review_due", pl.col("decided_on").dt.offset_by("1y")).alias("review_due")).select(
        ROW, "partnership_code", "status", "decided_on", "review_due", "notes"
    )


def check_health_check(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    _known_partnerships(typed, file, ctx, report, "error")
    report.extend(duplicate_problems(typed, file, ["partnership_code", "decided_on", "item"], "item", "each item per decision"))
    _not_in_future(typed, file, "decided_on", report)
    decisions = pl.DataFrame(sorted(ctx.decisions), schema={"partnership_code": pl.String, "decided_on": pl.Date}, orient="row")
    orphan = typed.join(decisions, on=["partnership_code", "decided_on"], how="anti")
    expected = "the date of a loaded accreditation decision for {partnership_code} (kept; load the decision too)"
    _flag(report, file, orphan, "decided_on", expected, "warning", "decision")
    return typed.select(ROW, "partnership_code", "decided_on", "item", "met", "note")


def check_previous_allocation(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    _known_partnerships(typed, file, ctx, report, "warning")
    report.extend(duplicate_problems(typed, file, ["partnership_code"], "partnership_code", "each partnership"))
    return typed.select(ROW, "partnership_code", "amount", "source")


def check_dataset(typed: pl.DataFrame, file: str, ctx: StoreContext, report: Report, layout: str) -> pl.DataFrame:
    """The store holds one description of its data, so a file must give exactly one."""
    if typed.height > 1:
        first = _first_row(typed)
        expected = f"exactly one data row (a dataset file describes the whole store; row {first} already does)"
        for (row,) in _rows(typed, pl.col(ROW) != first):
            report.add(Problem(file, row, None, None, expected, "error", "one_row"))
    elif report.rows > 1:  # the other rows have bad cells, already reported
        report.add(Problem(file, None, None, None, f"exactly one data row (the file has {report.rows})", "error", "one_row"))
    return typed.select(ROW, "reference_date", "name", "description", "source")


CHECKS: dict[str, Callable[[pl.DataFrame, str, StoreContext, Report, str], pl.DataFrame]] = {
    "register": check_register,
    "census": check_census,
    "roster": check_roster,
    "accreditation": check_accreditation,
    "health_check": check_health_check,
    "previous_allocation": check_previous_allocation,
    "dataset": check_dataset,
}
