"""The file layouts each kind of load accepts: column names, types and allowed values.

Layouts are data so that the templates, the README and the validator cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.base import config

KINDS = ("register", "census", "roster", "accreditation", "health_check", "previous_allocation", "dataset")

INSTITUTION_KINDS = ("high_school", "special_school", "pru", "college", "wbl_provider", "other")
STATUSES = ("open", "closed", "proposed_to_open", "proposed_to_close")
ROLES = ("full", "associate")
# A partnership code, as the partnerships table's CHECK has it.
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"
ACCREDITATION_STATUSES = ("accredited", "pending", "not_accredited", "lapsed")

# Every number a file may hold has a range, checked cell by cell before anything is written, so a
# figure no real file would hold, or the store could not keep, is refused naming its cell.
URN_RANGE = (100000, 999999)  # six digits
UKPRN_RANGE = (10000000, 99999999)  # eight digits
MEMBER_ID_RANGE = (URN_RANGE[0], UKPRN_RANGE[1])  # a URN or a UKPRN
MEMBER_ID_EXPECTED = "a URN (6 digits) or a UKPRN (8 digits)"


def is_member_id(value: int) -> bool:
    """Whether a number is a URN or a UKPRN, each within its own range (MEMBER_ID_RANGE spans
    both and the 7-digit numbers between, which are neither)."""
    return any(low <= value <= high for low, high in (URN_RANGE, UKPRN_RANGE))


NC_YEAR_RANGE = (0, 14)  # National Curriculum years; Reception is 0
NC_YEARS = tuple(range(NC_YEAR_RANGE[0], NC_YEAR_RANGE[1] + 1))
# The years a wide census template offers: a 14-19 scheme's secondary years. Every year's column
# is accepted, but a year column a file has needs a figure on every row, so a template with
# Reception to Year 14 would make a secondary council delete eight columns before its file loads.
TEMPLATE_YEARS = tuple(range(7, 14))
# Pupils in one year group of one school: the largest English schools have about 600, and the
# store keeps headcounts as 32-bit integers.
HEADCOUNT_RANGE = (0, 3000)
# Pupils known to be eligible for free school meals in one school: the largest English schools
# have about 4,000 pupils in all (the most eligible in one school in January 2023 was 1,002).
FSM_RANGE = (0, 10_000)
# One partnership's allocation in pounds: the whole county's pot is a few hundred thousand.
AMOUNT_RANGE = (0, 10_000_000)
PLAN_RANK_RANGE = (1, 1000)
PLAN_DISTANCE_KM_RANGE = (0, 1500)  # no two places in Great Britain are further apart


@dataclass(frozen=True)
class Field:
    """One column of a layout.

    ``parse`` is one of: int, decimal (money, at most 2 decimal places), float, date, text,
    choice, bool, code (a short identifier)."""

    name: str
    parse: str
    required: bool = True
    nullable: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    in_template: bool = True  # offered in the layout's header-only template (TEMPLATE_YEARS)


@dataclass(frozen=True)
class Layout:
    """A file's columns. ``ignored`` names columns accepted and not read (a published file's own
    that the tool has no use for); any other column not in ``fields`` is refused unless
    ``ignore_unknown``. ``hints`` say, for an unknown column whose lower-case name matches a
    pattern, what was expected instead. ``figures`` are columns whose blanks are judged by the
    row: a row with none of them filled is a row with no figures (the kind's rules say what it
    means); a row with any of them needs all of those the file has."""

    kind: str
    name: str
    fields: tuple[Field, ...]
    ignore_unknown: bool = False  # GIAS downloads carry 100+ columns we do not need
    description: str = ""
    ignored: tuple[str, ...] = ()
    hints: tuple[tuple[str, str], ...] = ()
    figures: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _optional(name: str, parse: str = "text", *, choices: tuple[str, ...] = (), description: str = "") -> Field:
    """A column a file may leave out altogether or leave blank on any row. Most columns beyond a
    row's key and its figures are, so that a file holding only what the council needs passes."""
    return Field(name, parse, required=False, nullable=True, choices=choices, description=description)


def _number(name: str, parse: str, within: tuple[float, float], *, optional: bool = False, description: str = "") -> Field:
    """A numeric column and its range, given together because every number a file may hold has
    one (the ranges above); ``optional`` as in _optional."""
    low, high = within
    return Field(name, parse, required=not optional, nullable=optional, minimum=low, maximum=high, description=description)


# Where a row's figures came from, in the data officer's words: most of our layouts end with it.
SOURCE = _optional("source")


def year_column(nc_year: int) -> str:
    """A wide census's column for a National Curriculum year, as the DfE's census files name it:
    ``year_r`` for Reception (year 0), ``year_1`` ... ``year_14``."""
    return "year_r" if nc_year == 0 else f"year_{nc_year}"


def _year_fields() -> tuple[Field, ...]:
    """A wide census's columns, one per year: a file may leave out a year the school does not
    teach, but a year it has needs a figure on every row that has figures (Layout.figures)."""
    low, high = HEADCOUNT_RANGE
    return tuple(
        Field(
            year_column(y),
            "int",
            required=False,
            minimum=low,
            maximum=high,
            description="Reception headcount" if y == 0 else f"Year {y} headcount",
            in_template=y in TEMPLATE_YEARS,
        )
        for y in NC_YEARS
    )


def _position_fields(*names: str) -> tuple[Field, ...]:
    """A register's coordinates, each within Great Britain (config.py holds the ranges)."""
    ranges = {
        "easting": (config.GB_EASTING, "a British National Grid easting in Great Britain, in metres"),
        "northing": (config.GB_NORTHING, "a British National Grid northing in Great Britain, in metres"),
        "latitude": (config.GB_LATITUDE, "a latitude in Great Britain (WGS84)"),
        "longitude": (config.GB_LONGITUDE, "a longitude in Great Britain (WGS84)"),
    }
    fields = []
    for name in names:
        within, description = ranges[name.lower()]
        fields.append(_number(name, "float", within, optional=True, description=description))
    return tuple(fields)


def _standard(kind: str, *fields: Field, description: str) -> Layout:
    """A kind's layout of our own design, which reports call "standard" (the register also takes
    the GIAS download; the census has two layouts of its own, long and wide)."""
    return Layout(kind, "standard", fields, description=description)


def _per_partnership(kind: str, *fields: Field, description: str) -> Layout:
    """A file about partnerships, which the store keys by code: every row names its partnership
    in the first column, and the code is checked as one (CODE_PATTERN)."""
    return _standard(kind, Field("partnership_code", "code"), *fields, description=description)


def _census(
    name: str,
    *counts: Field,
    description: str,
    ignored: tuple[str, ...] = (),
    hints: tuple[tuple[str, str], ...] = (),
    figures: tuple[str, ...] = (),
) -> Layout:
    """The census layouts key a row by school and census date; they differ in which figures a
    row holds and how they are laid out."""
    key = (_number("urn", "int", URN_RANGE), Field("census_date", "date"))
    return Layout("census", name, (*key, *counts, SOURCE), description=description, ignored=ignored, hints=hints, figures=figures)


REGISTER = _standard(
    "register",
    _number("urn", "int", URN_RANGE, optional=True, description="URN (schools)"),
    _number("ukprn", "int", UKPRN_RANGE, optional=True, description="UKPRN (colleges, WBL providers)"),
    Field("name", "text"),
    Field("kind", "choice", choices=INSTITUTION_KINDS),
    _optional("la_code", description="local authority code, e.g. 926"),
    _optional("district"),
    Field("status", "choice", choices=STATUSES),
    _optional("opened", "date"),
    _optional("closed", "date"),
    *_position_fields("easting", "northing", "latitude", "longitude"),
    _optional("source", description="provenance note"),
    description="our register layout: one row per institution",
)

# The DfE "Get Information About Schools" download, as it comes (Windows-1252, its own headers).
GIAS_REGISTER = Layout(
    "register",
    "gias",
    (
        _number("URN", "int", URN_RANGE),
        Field("EstablishmentName", "text"),
        Field("TypeOfEstablishment (name)", "text"),
        Field("EstablishmentStatus (name)", "text"),
        _optional("PhaseOfEducation (name)"),
        _number("UKPRN", "int", UKPRN_RANGE, optional=True),
        _optional("LA (code)"),
        _optional("DistrictAdministrative (name)"),
        _optional("OpenDate", "date"),
        _optional("CloseDate", "date"),
        *_position_fields("Easting", "Northing"),
    ),
    ignore_unknown=True,
    description="DfE GIAS establishment download",
)

CENSUS_LONG = _census(
    "long",
    _number("nc_year", "int", NC_YEAR_RANGE, description="National Curriculum year; Reception is 0"),
    _number("headcount", "int", HEADCOUNT_RANGE),
    description="one row per school, census date and year",
)
# The figure the DfE's census gives beside the year groups. Blank is no figure (the DfE gives
# none for independent schools): the store keeps what it had for the school on that date.
FSM_DESCRIPTION = "pupils known to be eligible for free school meals"
FSM_ELIGIBLE = _number("fsm_eligible", "int", FSM_RANGE, optional=True, description=FSM_DESCRIPTION)
# The DfE census file's own columns (data/england's census, cut for one authority) that the
# tool does not use: accepted, so such a file loads as it is, and not read.
DFE_CENSUS_EXTRAS = (
    "la_code",
    "new_la_code",
    "la_code_2025",
    "school_name",
    "phase_type_grouping",
    "early_nursery",
    "not_followed",
    "total_headcount",
)
YEAR_HINT = (r"year_.*", "a year column: year_r (Reception) or year_1 to year_14")
FSM_HINT = (
    "fsm_eligible",
    "a known column (FSM figures go in a wide census file, or a file of urn, census_date, fsm_eligible)",
)

CENSUS_LONG = _census(
    "long",
    _number("nc_year", "int", NC_YEAR_RANGE, description="National Curriculum year; Reception is 0"),
    _number("headcount", "int", HEADCOUNT_RANGE),
    description="one row per school, census date and year",
    hints=(FSM_HINT,),
)
CENSUS_WIDE = _census(
    "wide",
    *_year_fields(),
    FSM_ELIGIBLE,
    description="one row per school and census date, a column per year",
    ignored=DFE_CENSUS_EXTRAS,
    hints=(YEAR_HINT,),
    figures=tuple(year_column(y) for y in NC_YEARS),
)
# FSM figures alone, for a council whose year groups come in the long layout: a wide file of
# no years, named for what it holds.
CENSUS_FSM = _census(
    "fsm",
    Field("fsm_eligible", "int", nullable=True, minimum=FSM_RANGE[0], maximum=FSM_RANGE[1], description=FSM_DESCRIPTION),
    description="one row per school and census date: pupils eligible for free school meals",
)

ROSTER = _per_partnership(
    "roster",
    Field("partnership_name", "text"),
    _number("member_id", "int", MEMBER_ID_RANGE, description="URN or UKPRN"),
    Field("role", "choice", choices=ROLES),
    Field("joined", "date"),
    _optional("left", "date"),
    SOURCE,
    description="the full membership of each partnership named in the file",
)

# A membership plan (pipelines/rules/plan.py): not loaded into the store, read by `plan --changes`.
# Its columns are the suggestions' (membership_suggestions.sql), so suggestions kept and edited
# by hand are a plan; the gap and distance columns only explain a row and are not used.
PLAN_CHANGES = ("add", "remove", "create", "rename", "merge", "none")
PLAN = Layout(
    "plan",
    "standard",
    (
        Field(
            "change",
            "choice",
            choices=PLAN_CHANGES,
            description="add or remove a member; create, rename or merge partnerships; none: changes nothing",
        ),
        Field("partnership_code", "code", nullable=True, description="the partnership changed (a new code for create)"),
        _optional("partnership_name", description="the new name for create and rename"),
        _number("member_id", "int", MEMBER_ID_RANGE, optional=True, description="URN or UKPRN"),
        _optional("role", "choice", choices=ROLES, description="for add: full (blank) or associate"),
        _optional("into_code", "code", description="for merge: the partnership it merges into"),
        _optional("gap_code"),
        _optional("gap_partnership_code"),
        _optional("gap_institution_id"),
        _number("rank", "int", PLAN_RANK_RANGE, optional=True),
        _optional("member_name"),
        _number("distance_km", "float", PLAN_DISTANCE_KM_RANGE, optional=True, description="kilometres"),
        _optional("reason"),
    ),
    description="membership changes, one per row, applied in the order create, rename, remove, add, merge",
)

# With the partnership's code, the day names an accreditation decision: a health check's items
# point at theirs by the same two columns.
DECIDED_ON = Field("decided_on", "date")

ACCREDITATION = _per_partnership(
    "accreditation",
    Field("status", "choice", choices=ACCREDITATION_STATUSES),
    DECIDED_ON,
    _optional("review_due", "date"),
    _optional("notes"),
    description="one row per accreditation decision",
)

HEALTH_CHECK = _per_partnership(
    "health_check",
    DECIDED_ON,
    Field("item", "text"),
    Field("met", "bool"),
    _optional("note"),
    description="one row per health-check item of an accreditation decision",
)

PREVIOUS_ALLOCATION = _per_partnership(
    "previous_allocation",
    _number("amount", "decimal", AMOUNT_RANGE),
    SOURCE,
    description="the allocation on the basis used until 2008/9",
)

# What the store's data describes as a whole: its name and the day it is "as of", which every
# as-of date defaults to, so a store of 2018/19 data is not judged against today.
DATASET = _standard(
    "dataset",
    Field("reference_date", "date", description="the day the data describes; the default as-of date"),
    Field("name", "text"),
    _optional("description"),
    SOURCE,
    description="exactly one row describing the whole dataset",
)

LAYOUTS: dict[str, tuple[Layout, ...]] = {
    "register": (REGISTER, GIAS_REGISTER),
    "census": (CENSUS_LONG, CENSUS_WIDE, CENSUS_FSM),
    "roster": (ROSTER,),
    "accreditation": (ACCREDITATION,),
    "health_check": (HEALTH_CHECK,),
    "previous_allocation": (PREVIOUS_ALLOCATION,),
    "dataset": (DATASET,),
    "plan": (PLAN,),
}

# Spreadsheet cells that mean "withheld" in DfE and council releases.
SUPPRESSION_MARKS = frozenset({"x", "supp", "c", "z", ":", "..", "*", "na", "n/a", "ne", "low", "-"})
