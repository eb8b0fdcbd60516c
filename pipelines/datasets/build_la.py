"""Build a complete store for one English authority from the England data pack (data/england):
``build --la 886`` (or ``--la kent``).

What the store gets, each through the loader's own validation as one all-or-nothing unit (the
files are made here, in memory, as a data officer would write them, so they land in the load log
and the audit log like any other):

* the register: the authority's open establishments (May 2025), every kind by the one mapping
  the GIAS loader uses (pipelines/ingest/gias.py), the district each stands in;
* the census: January 2023 headcounts for every National Curriculum year and the pupils eligible
  for free school meals, labelled real. A school whose URN changed after the census (an academy
  conversion, a merger) is given its predecessor's figures through the register's links, and its
  source note says so; a census school split between several open schools is given to none of
  them (its pupils cannot be told apart), which leaves them the census_missing gap any school
  without a figure is;
* the map: the authority's districts and outline (the map_outlines table);
* the dataset row: the authority's name, the scheme and the census in words, the day the
  register describes as its reference date;
* a starting partnership map (``start="districts"``): one partnership per district of the
  authority, of the schools and colleges standing in it, labelled inferred; or none (every school
  a gap). Nothing else is invented: no accreditation, no previous allocation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pipelines.base import clock, config, csv_out
from pipelines.datasets import build_default, districts, england
from pipelines.ingest import gias
from pipelines.ingest.layouts import CODE_PATTERN, NC_YEARS, year_column

if TYPE_CHECKING:
    from pipelines.ingest.load import LoadResult, Upload

STARTS = ("districts", "none")
# The kinds a starting partnership is made of: the schools a partnership must cover, and the
# colleges it must have as full members.
MEMBER_KINDS = ("high_school", "special_school", "pru", "college")
YEARS = [year_column(y) for y in NC_YEARS]
# How the pack placed a school in its district (its lad24_method), in the register's words.
PLACED = {
    "point_in_polygon": "where the school stands",
    "nearest_polygon": "the nearest (the school's point lies just off the mapped coast)",
    "own_la_nearest": "its authority's nearest (the school's point falls just over the generalised boundary)",
    "point_in_other_la": "where the school stands, outside its authority's boundary",
    "no_coordinates": "none: the register gives no location",
}
# The sources, as the register, census and boundaries name them, for the dataset row.
PACK_SOURCES = (
    "DfE Get Information about Schools (open establishments), DfE school census (Schools, pupils and their "
    "characteristics), ONS Local Authority Districts May 2024; Open Government Licence v3.0"
)
# A partnership code is at most 32 characters (layouts.CODE_PATTERN).
CODE_LENGTH = 32
CONNECTIVES = {"AND", "OF", "UPON", "ON", "THE"}
# Generations of predecessors followed from a school the census did not count (the pack's own
# matching follows as many).
MAX_LINK_STEPS = 6


@dataclass
class AuthorityBuild:
    """What a build made, for its report: the counts an officer checks against what they know."""

    authority: england.Authority
    results: list[LoadResult] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)  # institutions by kind
    by_urn: int = 0  # schools with census figures under their own URN
    by_link: int = 0  # through the links file (their URN changed after the census)
    split: int = 0  # successors of a census school split between several: no figures
    no_census: int = 0  # high and special schools with no Year 10 figure at all
    year10: int = 0  # every Year 10 pupil the store's census holds
    partnerships: int = 0
    unplaced: int = 0  # schools and colleges in no starting partnership (outside the districts, or no location)
    census_day: dt.date | None = None
    reference_day: dt.date | None = None


def build(
    db_path: Path | str,
    authority_text: str,
    *,
    start: str = "districts",
    replace: bool = False,
    pack: Path = config.ENGLAND_DIR,
) -> AuthorityBuild:
    """Replace the store at ``db_path`` with one of the authority ``authority_text`` names (a code
    or a name, as england.resolve_authority reads it). Refused for a name that is no authority's
    or could be several's, and onto a store of another authority unless ``replace``."""
    if start not in STARTS:
        raise ValueError(f"start is one of {STARTS}, not {start!r}")
    authority = england.resolve_authority(authority_text, pack)
    outlines = england.outlines(authority, pack)
    keep = build_default.records_kept(
        db_path, authority.code, authority.plain_name, replace=replace, rebuild=f"build --la {authority.code}"
    )
    made = AuthorityBuild(authority)
    uploads = _uploads(authority, start, pack, made)
    from pipelines.ingest.load import load_all  # the loader only to build, as build_default

    made.results = load_all(
        uploads,
        db_path,
        fresh=True,
        keep_records=keep,
        build_note=f"; {authority} from the England data pack" + ("" if keep else ", replacing another authority's store"),
        finish=lambda con: districts.write_outlines(con, outlines),
    )
    return made


def _uploads(authority: england.Authority, start: str, pack: Path, made: AuthorityBuild) -> list[Upload]:
    from pipelines.ingest.load import Upload

    schools = england.schools(authority.code, pack)
    if schools.is_empty():
        raise ValueError(f"the England data pack lists no open establishment for {authority}")
    register = _register(schools)
    census = _census(schools, pack, made)
    made.kinds = dict(register.group_by("kind").len().sort("kind").rows())
    counted = census.filter(pl.col("year_10").is_not_null())["urn"].implode()
    funded_kinds = pl.col("kind").is_in(["high_school", "special_school"])  # those whose Year 10 is counted
    made.no_census = register.filter(funded_kinds & ~pl.col("urn").is_in(counted)).height
    made.reference_day = _register_day(schools)
    code = authority.code
    files = [
        Upload("register", f"{code}_register_gias_{made.reference_day.isoformat()}.csv", _csv(register)),
        Upload("census", f"{code}_census_{made.census_day.isoformat() if made.census_day else 'none'}.csv", _csv(census)),
    ]
    if start == "districts":
        roster = _roster(schools, register, authority, pack, made.reference_day)
        made.partnerships = roster["partnership_code"].n_unique()
        made.unplaced = register.filter(pl.col("kind").is_in(MEMBER_KINDS)).height - roster.height
        if roster.height:
            files.append(Upload("roster", f"{code}_roster_inferred_from_district.csv", _csv(roster)))
    files.append(Upload("dataset", f"{code}_dataset.csv", _csv(_dataset(authority, start, made))))
    return files


def _csv(frame: pl.DataFrame) -> bytes:
    return csv_out.frame_csv(frame).encode("utf-8")


def _register(schools: pl.DataFrame) -> pl.DataFrame:
    """The register layout's columns, every kind by the GIAS loader's one mapping."""
    placed = pl.col("lad24_method").replace_strict(PLACED, default="as the data pack gives it")
    return schools.select(
        "urn",
        pl.lit(None, pl.Int64).alias("ukprn"),
        "name",
        gias.kind_expr("establishment_type", "phase").alias("kind"),
        "la_code",
        pl.col("lad24_name").alias("district"),
        pl.lit("open").alias("status"),
        pl.lit(None, pl.Date).alias("opened"),
        pl.lit(None, pl.Date).alias("closed"),
        "easting",
        "northing",
        "latitude",
        "longitude",
        pl.format(
            "real: {} (open establishments; type '{}', phase '{}'); district: {}", "source", "establishment_type", "phase", placed
        ).alias("source"),
    )


def _register_day(schools: pl.DataFrame) -> dt.date:
    """The day the register describes, as its source names it ("DfE GIAS 2025-05-24")."""
    days = {found for text in schools["source"].unique() for found in re.findall(r"\d{4}-\d{2}-\d{2}", text or "")}
    if len(days) != 1:
        raise ValueError(f"the England data pack's register names no single day in its source: {sorted(days)}")
    return dt.date.fromisoformat(days.pop())


def _census(schools: pl.DataFrame, pack: Path, made: AuthorityBuild) -> pl.DataFrame:
    """The wide census layout's rows for the register's schools: each school's own figures, or
    its predecessors' (summed, for a merger) through the links, with a note saying which."""
    every = pl.read_parquet(Path(pack) / england.SCHOOLS, columns=["urn"])["urn"]
    counted = pl.scan_parquet(Path(pack) / england.CENSUS).select("urn").collect()["urn"]
    joins = _joins(set(schools["urn"]), set(every), set(counted), england.urn_links(pack))
    made.split = joins.filter(pl.col("split")).select("urn").n_unique()
    joins = joins.filter(~pl.col("split"))
    figures = (
        pl.scan_parquet(Path(pack) / england.CENSUS)
        .filter(pl.col("urn").is_in(joins["census_urn"].implode()))
        .select("urn", "school_name", "census_date", *YEARS, "fsm_eligible", "source")
        .collect()
        .rename({"urn": "census_urn"})
    )
    rows = joins.join(figures, on="census_urn").sort("urn", "census_urn")
    note = pl.format("real: {}", pl.col("source").first())
    linked = pl.format(
        "real: {} for URN {}, joined to this school through the register's link ({}): its URN changed after the census",
        pl.col("source").first(),
        pl.col("counted_as").str.join(" and "),
        pl.col("how").unique(maintain_order=True).str.join("; "),
    )
    census = (
        rows.with_columns(pl.format("{} ({})", "census_urn", "school_name").alias("counted_as"))
        .group_by("urn", "census_date")
        .agg(
            *[_sum_or_none(c) for c in [*YEARS, "fsm_eligible"]],
            pl.when(pl.col("linked").any()).then(linked).otherwise(note).alias("source"),
            pl.col("linked").any(),
        )
        .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in [*YEARS, "fsm_eligible"]))
        .sort("urn")
    )
    made.by_urn = census.filter(~pl.col("linked")).height
    made.by_link = census.filter(pl.col("linked")).height
    made.year10 = int(census["year_10"].sum() or 0)
    days = census["census_date"].unique().to_list()
    made.census_day = max(days) if days else None
    return census.drop("linked").select("urn", "census_date", *YEARS, "fsm_eligible", "source")


def _sum_or_none(column: str) -> pl.Expr:
    """A merger's figure: its predecessors' summed, none when none of them has one."""
    return pl.when(pl.col(column).is_null().all()).then(None).otherwise(pl.col(column).sum()).alias(column)


def _joins(wanted: set[int], open_now: set[int], counted: set[int], links: pl.DataFrame) -> pl.DataFrame:
    """For each school in ``wanted``: the census URNs its figures come from (urn, census_urn,
    linked, how, split). Its own URN when the census counted it; else the nearest generation of
    its predecessors along the links (both sides of a link: a "Successor" row read backwards) that
    the census counted and that is not open now (an open predecessor has its own figures: a school
    split from it has none). A census school reached from several open schools (split between
    them) is marked ``split`` for each: its figures are given to none."""
    before: dict[int, dict[int, str]] = {}
    for urn, link_urn, link_type, link_date in links.select("urn", "link_urn", "link_type", "link_date").iter_rows():
        if link_type.startswith("Successor"):
            urn, link_urn = link_urn, urn
        elif not link_type.startswith("Predecessor"):
            continue
        before.setdefault(urn, {})[link_urn] = f"{link_type}, {link_date}" if link_date else link_type
    found: dict[int, list[tuple[int, str]]] = {}
    for urn in open_now - counted:
        seen, frontier = {urn}, {urn}
        for _ in range(MAX_LINK_STEPS):
            # each predecessor reached, with the link it was reached by
            reached = {p: how for u in frontier for p, how in before.get(u, {}).items() if p not in seen}
            seen |= set(reached)
            hits = sorted(set(reached) & counted)
            if hits:
                found[urn] = [(p, reached[p]) for p in hits if p not in open_now]
                break
            frontier = set(reached)
            if not frontier:
                break
    claims: dict[int, int] = {}
    for predecessors in found.values():
        for p, _ in predecessors:
            claims[p] = claims.get(p, 0) + 1
    rows: list[tuple[int, int, bool, str | None, bool]] = [(urn, urn, False, None, False) for urn in sorted(wanted & counted)]
    for urn in sorted(wanted - counted):
        for p, how in found.get(urn, []):
            rows.append((urn, p, True, how, claims[p] > 1))
    return pl.DataFrame(
        rows,
        schema={"urn": pl.Int32, "census_urn": pl.Int32, "linked": pl.Boolean, "how": pl.String, "split": pl.Boolean},
        orient="row",
    )


def _roster(
    schools: pl.DataFrame, register: pl.DataFrame, authority: england.Authority, pack: Path, day: dt.date
) -> pl.DataFrame:
    """One partnership per district of the authority, of the schools and colleges standing in it;
    a school standing in another authority's district is in none (a gap the Plan page closes)."""
    local = {f["properties"]["lad_code"] for f in england.outlines(authority, pack).districts["features"]}
    members = (
        schools.select("urn", "lad24_code", "lad24_name")
        .join(register.select("urn", "kind"), on="urn")
        .filter(pl.col("kind").is_in(MEMBER_KINDS) & pl.col("lad24_code").is_in(sorted(local)))
    )
    codes = _codes(sorted(set(members["lad24_name"])))
    return members.sort("lad24_name", "urn").select(
        pl.col("lad24_name").replace_strict(codes).alias("partnership_code"),
        pl.format("{} (inferred from district)", "lad24_name").alias("partnership_name"),
        pl.col("urn").alias("member_id"),
        pl.lit("full").alias("role"),
        pl.lit(day).alias("joined"),
        pl.lit(None, pl.Date).alias("left"),
        pl.format(
            "inferred from district: the school stands in {} (ONS LAD May 2024); a starting map made by build --la, "
            "for the council to replace with its own",
            "lad24_name",
        ).alias("source"),
    )


def _codes(names: list[str]) -> dict[str, str]:
    """INF-… codes, as the default's inferred partnerships: the district's name in capitals, cut
    at a word to fit a code's 32 characters (and numbered if two would then be the same)."""
    codes: dict[str, str] = {}
    for name in names:
        words = re.sub(r"[^A-Z0-9]+", " ", name.upper().replace("'", "")).split()
        while len("INF-" + "-".join(words)) > CODE_LENGTH or (len(words) > 1 and words[-1] in CONNECTIVES):
            words = words[:-1]
        code = "INF-" + "-".join(words)
        number = 2
        while code in codes.values():
            code = f"{code[: CODE_LENGTH - 3]}-{number}"
            number += 1
        assert re.fullmatch(CODE_PATTERN, code), code
        codes[name] = code
    return codes


def dataset_name(authority: england.Authority, census_day: dt.date | None) -> str:
    """What every page title, caption, export and print calls the store: the authority, the scheme
    and the census the money is shared by ("Kent 14-19 partnerships, census January 2023")."""
    census = f", census {census_day:%B %Y}" if census_day else ", no census"
    return f"{authority.plain_name} 14-19 partnerships{census}"


def _dataset(authority: england.Authority, start: str, made: AuthorityBuild) -> pl.DataFrame:
    assert made.reference_day is not None
    census = f"the school census of {clock.day_text(made.census_day)}" if made.census_day else "no census"
    starting = (
        "Partnership codes: INF-… partnerships inferred from the district, one per district of the schools and colleges "
        "standing in it, a starting map for the council to replace with its own."
        if start == "districts"
        else "No partnership is loaded: every school is a gap until the council's roster is."
    )
    description = (
        f"{authority.plain_name}'s open schools and colleges from the DfE register of {clock.day_text(made.reference_day)}, "
        f"pupils by year group and eligible for free school meals from {census}, districts and outline from the ONS "
        f"(May 2024), built from the England data pack. {starting} No accreditation or previous allocation is loaded: "
        "load them next. Training providers and colleges without a URN are not in the register: add them with a UKPRN "
        "list through load register."
    )
    return pl.DataFrame(
        {
            "reference_date": [made.reference_day],
            "name": [dataset_name(authority, made.census_day)],
            "description": [description],
            "source": [f"real: {PACK_SOURCES}; reference date: the day of the register"],
        }
    )


def report_lines(made: AuthorityBuild) -> list[str]:
    """What the command line says after the files: the counts an officer checks against what they
    know, and what to load next."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in made.kinds.items())
    lines = [
        f"{made.authority}: {sum(made.kinds.values())} open establishments ({kinds})",
        f"census {made.census_day}: {made.by_urn + made.by_link} schools with figures, {made.by_link} of them joined "
        f"through the links file (their URN changed after the census); Year 10: {made.year10:,} pupils",
    ]
    if made.split:
        lines.append(f"{made.split} census school(s) split between several open schools since: their figures are given to none")
    if made.no_census:
        lines.append(f"{made.no_census} high or special school(s) have no Year 10 figure (census_missing when funded)")
    if made.partnerships:
        unplaced = f"; {made.unplaced} school(s) or college(s) outside its districts in none" if made.unplaced else ""
        lines.append(f"starting map: {made.partnerships} partnership(s), one per district, inferred{unplaced}")
    lines.append(
        "next: load accreditation and previous_allocation files (no partnership is accredited yet), and colleges "
        "and training providers by UKPRN with load register"
    )
    return lines
