"""Translate the DfE GIAS establishment download into our register layout.

GIAS describes an establishment by type and phase; the council's rules speak of high
schools, special schools, PRUs, colleges and WBL providers. The mapping lives here, in one
table, so it can be read and argued with.
"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.raw_table import ROW

MAINSTREAM_TYPES = frozenset(
    {
        "Community school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Foundation school",
        "Academy converter",
        "Academy sponsor led",
        "Free schools",
        "University technical college",
        "Studio schools",
        "City technology college",
    }
)
SECONDARY_PHASES = frozenset({"Secondary", "Middle deemed secondary", "All-through"})
SPECIAL_TYPES = frozenset(
    {
        "Community special school",
        "Foundation special school",
        "Academy special converter",
        "Academy special sponsor led",
        "Free schools special",
        "Non-maintained special school",
    }
)
PRU_TYPES = frozenset(
    {
        "Pupil referral unit",
        "Academy alternative provision converter",
        "Academy alternative provision sponsor led",
        "Free schools alternative provision",
    }
)
# Sixth-form colleges and 16-19 academies are counted with the FE colleges: they are the
# post-16 providers the rules ask to be full members of partnerships.
COLLEGE_TYPES = frozenset(
    {
        "Further education",
        "Sixth form centres",
        "Academy 16-19 converter",
        "Academy 16-19 sponsor led",
        "Academy 16 to 19 sponsor led",  # the register's spelling since 2024 (the England data pack's)
        "Free schools 16 to 19",
    }
)
# Types that are outside the rules on purpose (independent schools, nurseries, HE, ...).
OTHER_TYPES = frozenset(
    {
        "Other independent school",
        "Other independent special school",
        "Local authority nursery school",
        "Higher education institutions",
        "Welsh establishment",
        "Special post 16 institution",
        "Institution funded by other government department",
        "Miscellaneous",
        "British schools overseas",
        "Offshore schools",
        "Service children's education",
        "Secure units",
        "Online provider",
        "Academy secure 16 to 19",
    }
)
KNOWN_TYPES = MAINSTREAM_TYPES | SPECIAL_TYPES | PRU_TYPES | COLLEGE_TYPES | OTHER_TYPES

STATUS = {
    "open": "open",
    "closed": "closed",
    "open, but proposed to close": "proposed_to_close",
    "proposed to open": "proposed_to_open",
}


# Our register column -> the GIAS column it came from, so problems name the file's own column.
LABELS = {
    "urn": "URN",
    "ukprn": "UKPRN",
    "name": "EstablishmentName",
    "opened": "OpenDate",
    "closed": "CloseDate",
    "easting": "Easting",
    "northing": "Northing",
    "district": "DistrictAdministrative (name)",
}


def kind_expr(type_col: str, phase_col: str) -> pl.Expr:
    kind_of_type = pl.col(type_col)
    return (
        pl.when(kind_of_type.is_in(PRU_TYPES))
        .then(pl.lit("pru"))
        .when(kind_of_type.is_in(SPECIAL_TYPES))
        .then(pl.lit("special_school"))
        .when(kind_of_type.is_in(COLLEGE_TYPES))
        .then(pl.lit("college"))
        .when(kind_of_type.is_in(MAINSTREAM_TYPES) & pl.col(phase_col).is_in(SECONDARY_PHASES))
        .then(pl.lit("high_school"))
        .otherwise(pl.lit("other"))
    )


def status_expr(status_col: str) -> pl.Expr:
    return pl.col(status_col).str.to_lowercase().replace_strict(STATUS, default=None)


def to_register(typed: pl.DataFrame) -> pl.DataFrame:
    """GIAS columns renamed and mapped to the standard register columns."""
    return typed.select(
        pl.col(ROW),
        pl.col("URN").alias("urn"),
        pl.col("UKPRN").alias("ukprn"),
        pl.col("EstablishmentName").alias("name"),
        kind_expr("TypeOfEstablishment (name)", "PhaseOfEducation (name)").alias("kind"),
        pl.col("LA (code)").alias("la_code"),
        pl.col("DistrictAdministrative (name)").alias("district"),
        status_expr("EstablishmentStatus (name)").alias("status"),
        pl.col("OpenDate").alias("opened"),
        pl.col("CloseDate").alias("closed"),
        pl.col("Easting").alias("easting"),
        pl.col("Northing").alias("northing"),
        pl.lit(None, dtype=pl.Float64).alias("latitude"),
        pl.lit(None, dtype=pl.Float64).alias("longitude"),
        pl.lit("GIAS download").alias("source"),
    )
