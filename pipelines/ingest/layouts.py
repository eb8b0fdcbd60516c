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
CENSUS_YEARS = tuple(range(7, 14))  # the wide layout's year_7 ... year_13

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
# Pupils in one year group of one school: the largest English schools have about 600, and the
# store keeps headcounts as 32-bit integers.
HEADCOUNT_RANGE = (0, 3000)
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


@dataclass(frozen=True)
class Layout:
    kind: str
    name: str
    fields: tuple[Field, ...]
    ignore_unknown: bool = False  # GIAS downloads carry 100+ columns we do not need
    description: str = ""

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _year_fields() -> tuple[Field, ...]:
    low, high = HEADCOUNT_RANGE
    return tuple(
        Field(f"year_{y}", "int", required=False, minimum=low, maximum=high, description=f"Year {y} headcount")
        for y in CENSUS_YEARS
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
        (low, high), description = ranges[name.lower()]
        fields.append(Field(name, "float", required=False, nullable=True, minimum=low, maximum=high, description=description))
    return tuple(fields)


REGISTER = Layout(
    "register",
    "standard",
    (
        Field(
            "urn", "int", required=False, nullable=True, minimum=URN_RANGE[0], maximum=URN_RANGE[1], description="URN (schools)"
        ),
        Field(
            "ukprn",
            "int",
            required=False,
            nullable=True,
            minimum=UKPRN_RANGE[0],
            maximum=UKPRN_RANGE[1],
            description="UKPRN (colleges, WBL providers)",
        ),
        Field("name", "text"),
        Field("kind", "choice", choices=INSTITUTION_KINDS),
        Field("la_code", "text", required=False, nullable=True, description="local authority code, e.g. 926"),
        Field("district", "text", required=False, nullable=True),
        Field("status", "choice", choices=STATUSES),
        Field("opened", "date", required=False, nullable=True),
        Field("closed", "date", required=False, nullable=True),
        *_position_fields("easting", "northing", "latitude", "longitude"),
        Field("source", "text", required=False, nullable=True, description="provenance note"),
    ),
    description="our register layout: one row per institution",
)

# The DfE "Get Information About Schools" download, as it comes (Windows-1252, its own headers).
GIAS_REGISTER = Layout(
    "register",
    "gias",
    (
        Field("URN", "int", minimum=URN_RANGE[0], maximum=URN_RANGE[1]),
        Field("EstablishmentName", "text"),
        Field("TypeOfEstablishment (name)", "text"),
        Field("EstablishmentStatus (name)", "text"),
        Field("PhaseOfEducation (name)", "text", required=False, nullable=True),
        Field("UKPRN", "int", required=False, nullable=True, minimum=UKPRN_RANGE[0], maximum=UKPRN_RANGE[1]),
        Field("LA (code)", "text", required=False, nullable=True),
        Field("DistrictAdministrative (name)", "text", required=False, nullable=True),
        Field("OpenDate", "date", required=False, nullable=True),
        Field("CloseDate", "date", required=False, nullable=True),
        *_position_fields("Easting", "Northing"),
    ),
    ignore_unknown=True,
    description="DfE GIAS establishment download",
)

CENSUS_LONG = Layout(
    "census",
    "long",
    (
        Field("urn", "int", minimum=URN_RANGE[0], maximum=URN_RANGE[1]),
        Field("census_date", "date"),
        Field(
            "nc_year",
            "int",
            minimum=NC_YEAR_RANGE[0],
            maximum=NC_YEAR_RANGE[1],
            description="National Curriculum year; Reception is 0",
        ),
        Field("headcount", "int", minimum=HEADCOUNT_RANGE[0], maximum=HEADCOUNT_RANGE[1]),
        Field("source", "text", required=False, nullable=True),
    ),
    description="one row per school, census date and year",
)

CENSUS_WIDE = Layout(
    "census",
    "wide",
    (
        Field("urn", "int", minimum=URN_RANGE[0], maximum=URN_RANGE[1]),
        Field("census_date", "date"),
        *_year_fields(),
        Field("source", "text", required=False, nullable=True),
    ),
    description="one row per school and census date, a column per year",
)

ROSTER = Layout(
    "roster",
    "standard",
    (
        Field("partnership_code", "code"),
        Field("partnership_name", "text"),
        Field("member_id", "int", minimum=MEMBER_ID_RANGE[0], maximum=MEMBER_ID_RANGE[1], description="URN or UKPRN"),
        Field("role", "choice", choices=ROLES),
        Field("joined", "date"),
        Field("left", "date", required=False, nullable=True),
        Field("source", "text", required=False, nullable=True),
    ),
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
        Field("partnership_name", "text", required=False, nullable=True, description="the new name for create and rename"),
        Field(
            "member_id",
            "int",
            required=False,
            nullable=True,
            minimum=MEMBER_ID_RANGE[0],
            maximum=MEMBER_ID_RANGE[1],
            description="URN or UKPRN",
        ),
        Field("role", "choice", required=False, nullable=True, choices=ROLES, description="for add: full (blank) or associate"),
        Field("into_code", "code", required=False, nullable=True, description="for merge: the partnership it merges into"),
        Field("gap_code", "text", required=False, nullable=True),
        Field("gap_partnership_code", "text", required=False, nullable=True),
        Field("gap_institution_id", "text", required=False, nullable=True),
        Field("rank", "int", required=False, nullable=True, minimum=PLAN_RANK_RANGE[0], maximum=PLAN_RANK_RANGE[1]),
        Field("member_name", "text", required=False, nullable=True),
        Field(
            "distance_km",
            "float",
            required=False,
            nullable=True,
            minimum=PLAN_DISTANCE_KM_RANGE[0],
            maximum=PLAN_DISTANCE_KM_RANGE[1],
            description="kilometres",
        ),
        Field("reason", "text", required=False, nullable=True),
    ),
    description="membership changes, one per row, applied in the order create, rename, remove, add, merge",
)

ACCREDITATION = Layout(
    "accreditation",
    "standard",
    (
        Field("partnership_code", "code"),
        Field("status", "choice", choices=ACCREDITATION_STATUSES),
        Field("decided_on", "date"),
        Field("review_due", "date", required=False, nullable=True),
        Field("notes", "text", required=False, nullable=True),
    ),
    description="one row per accreditation decision",
)

HEALTH_CHECK = Layout(
    "health_check",
    "standard",
    (
        Field("partnership_code", "code"),
        Field("decided_on", "date"),
        Field("item", "text"),
        Field("met", "bool"),
        Field("note", "text", required=False, nullable=True),
    ),
    description="one row per health-check item of an accreditation decision",
)

PREVIOUS_ALLOCATION = Layout(
    "previous_allocation",
    "standard",
    (
        Field("partnership_code", "code"),
        Field("amount", "decimal", minimum=AMOUNT_RANGE[0], maximum=AMOUNT_RANGE[1]),
        Field("source", "text", required=False, nullable=True),
    ),
    description="the allocation on the basis used until 2008/9",
)

# What the store's data describes as a whole: its name and the day it is "as of", which every
# as-of date defaults to, so a store of 2018/19 data is not judged against today.
DATASET = Layout(
    "dataset",
    "standard",
    (
        Field("reference_date", "date", description="the day the data describes; the default as-of date"),
        Field("name", "text"),
        Field("description", "text", required=False, nullable=True),
        Field("source", "text", required=False, nullable=True),
    ),
    description="exactly one row describing the whole dataset",
)

LAYOUTS: dict[str, tuple[Layout, ...]] = {
    "register": (REGISTER, GIAS_REGISTER),
    "census": (CENSUS_LONG, CENSUS_WIDE),
    "roster": (ROSTER,),
    "accreditation": (ACCREDITATION,),
    "health_check": (HEALTH_CHECK,),
    "previous_allocation": (PREVIOUS_ALLOCATION,),
    "dataset": (DATASET,),
    "plan": (PLAN,),
}

# Spreadsheet cells that mean "withheld" in DfE and council releases.
SUPPRESSION_MARKS = frozenset({"x", "supp", "c", "z", ":", "..", "*", "na", "n/a", "ne", "low", "-"})
