"""The England data pack (data/england/, made by make_england_pack): which authorities it holds,
the one a person means, and that authority's rows.

A person names their authority the way they know it: the DfE's 3-digit code (``886``), the ONS
code (``E10000016``) or the name, typed with any case or punctuation (``kent``, ``Bath & North
East Somerset``, ``stoke on trent``). A name that is not an authority's, or that could be
several, is refused with the names it might have meant, never guessed at: the tool would
otherwise build a store for the wrong council.

Read with polars' lazy Parquet reader: filtered on the authority, it skips the row groups
without it and reads one authority in about a millisecond (DuckDB's read_parquet takes 3 ms on
an open connection, 14 ms with a new one)."""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.base import config
from pipelines.base.refusals import Refused
from pipelines.datasets.districts import StoredOutlines

PACK_DIR = config.ENGLAND_DIR
SCHOOLS = "schools_gias_2025.parquet"
CENSUS = "census_2023_year_groups.parquet"
AUTHORITIES = "la_codes.parquet"
LINKS = "urn_links_2025.parquet"
DISTRICT_OUTLINES = "lad24_england.geojson"
AUTHORITY_OUTLINES = "la_england.geojson"

# A register name written back to front: "Bristol, City of".
TURNED = r"(.+), ((?:City|County) of)"
CLOSEST = 5  # names offered when a name matches none
LISTED = 12  # candidates listed when a name could be several


@dataclass(frozen=True)
class Authority:
    code: str  # the DfE's 3-digit code, as the register and the store write it ("886")
    name: str  # as the register names it ("Bristol, City of")
    new_code: str  # the ONS code ("E10000016")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def plain_name(self) -> str:
        """The name as a sentence says it: "City of Bristol", not the register's "Bristol, City of"."""
        turned = re.fullmatch(TURNED, self.name)
        return f"{turned[2]} {turned[1]}" if turned else self.name


def authorities(pack: Path = PACK_DIR) -> list[Authority]:
    """Every authority in the pack, by code."""
    return list(_authorities(Path(pack)))


@functools.cache
def _authorities(pack: Path) -> tuple[Authority, ...]:
    rows = pl.read_parquet(pack / AUTHORITIES, columns=["la_code", "la_name", "new_la_code"]).sort("la_code").rows()
    return tuple(Authority(code, name, new_code) for code, name, new_code in rows)


def words(name: str) -> str:
    """A name as lower-case words: '&' is 'and', punctuation is a space ("St. Helens" is "st helens")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split())


def _names(authority: Authority) -> set[str]:
    """The ways a name may be written: "Bristol, City of" is also "City of Bristol"."""
    return {words(authority.name), words(authority.plain_name)}


def resolve_authority(text: str, pack: Path = PACK_DIR) -> Authority:
    """The authority ``text`` names: its 3-digit or ONS code, its name, or the first whole words of
    exactly one authority's name ("bath", "bristol"); else Refused, with the names it might mean."""
    every = authorities(pack)
    given = text.strip()
    if re.fullmatch(r"\d{3}|[Ee]\d{8}", given):
        found = [a for a in every if given.upper() in (a.code, a.new_code)]
        successors = _successors(Path(pack)).get(given, [])
        if not found and successors:
            now = " and ".join(str(a) for a in every if a.code in successors)
            raise Refused(f"the code {given} is a former authority's (the January 2023 census): its schools are now {now}")
        if not found:
            raise Refused(
                f"no authority in England has the code {given}: the 3-digit codes run from {every[0].code} to "
                f"{every[-1].code}, for example {_example(every)}"
            )
        return found[0]
    wanted = words(given)
    if not wanted:
        raise Refused(f"name an authority in England, by its name or its 3-digit code, for example {_example(every)}")
    exact = [a for a in every if wanted in _names(a)]
    if exact:
        return exact[0]
    starting = [a for a in every if any(name.startswith(wanted + " ") for name in _names(a))]
    if len(starting) == 1:
        return starting[0]
    if starting:
        shown = ", ".join(str(a) for a in starting[:LISTED])
        more = f" and {len(starting) - LISTED} more" if len(starting) > LISTED else ""
        raise Refused(f"'{given}' could be any of {len(starting)} authorities: {shown}{more}; give more of the name, or the code")
    by_name = {name: a for a in every for name in _names(a)}
    close = difflib.get_close_matches(wanted, list(by_name), n=CLOSEST, cutoff=0.6)
    offered = list(dict.fromkeys(by_name[name] for name in close))
    hint = (
        "the closest names: " + ", ".join(str(a) for a in offered)
        if offered
        else f"no name is close; give the 3-digit code, for example {_example(every)}"
    )
    raise Refused(f"no authority in England is called '{given}': {hint}")


@functools.cache
def _successors(pack: Path) -> dict[str, list[str]]:
    """Codes of the January 2023 census that are no authority's now, with the authorities that
    took their schools (Cumbria, 909, split between 942 and 943 in April 2023)."""
    pairs = pl.scan_parquet(pack / CENSUS).select("la_code", "la_code_2025").unique().collect()
    former = pairs.filter(pl.col("la_code") != pl.col("la_code_2025"))
    return {code: sorted(former.filter(pl.col("la_code") == code)["la_code_2025"]) for code in former["la_code"].unique()}


def _example(every: list[Authority]) -> str:
    kent = next((a for a in every if a.code == "886"), every[0])
    return f"{kent.code} for {kent.name}"


def schools(code: str, pack: Path = PACK_DIR) -> pl.DataFrame:
    """The authority's open establishments (May 2025), by URN."""
    return pl.scan_parquet(Path(pack) / SCHOOLS).filter(pl.col("la_code") == code).collect()


def census(code: str, pack: Path = PACK_DIR) -> pl.DataFrame:
    """The January 2023 census of the schools the authority serves now (``la_code_2025``: Cumbria's
    schools under Cumberland and Westmorland and Furness), by URN."""
    return pl.scan_parquet(Path(pack) / CENSUS).filter(pl.col("la_code_2025") == code).collect()


def urn_links(pack: Path = PACK_DIR) -> pl.DataFrame:
    """Predecessor and successor links between URNs, for every authority (a school may have moved
    between authorities), by URN."""
    return pl.read_parquet(Path(pack) / LINKS)


def outlines(authority: Authority, pack: Path = PACK_DIR) -> StoredOutlines:
    """The authority's districts (LAD May 2024) and outline, cut from the pack's England files, as
    a store keeps them for its map: each district's properties ``lad_code`` and ``lad_name`` (as
    the map's hover names them), the districts' extent as "bbox"."""
    code = authority.code
    lads, las = _collection(Path(pack) / DISTRICT_OUTLINES), _collection(Path(pack) / AUTHORITY_OUTLINES)
    features = [
        {
            "type": "Feature",
            "properties": {"lad_code": f["properties"]["lad24_code"], "lad_name": f["properties"]["lad24_name"]},
            "geometry": f["geometry"],
            "bbox": f["bbox"],
        }
        for f in lads["features"]
        if f["properties"]["la_code"] == code
    ]
    outline = next((f for f in las["features"] if f["properties"]["la_code"] == code), None)
    if not features or outline is None:
        raise Refused(f"the England data pack has no outlines for {authority}")
    corners = [f["bbox"] for f in features]
    extent = [min(c[0] for c in corners), min(c[1] for c in corners), max(c[2] for c in corners), max(c[3] for c in corners)]
    districts = {"type": "FeatureCollection", "source": lads["source"], "features": features, "bbox": extent}
    return StoredOutlines(code, authority.plain_name, districts, outline, lads["source"])


@functools.cache
def _collection(path: Path) -> dict:
    """A pack's GeoJSON file, read once per process (and only read: nothing changes it)."""
    return json.loads(path.read_text(encoding="utf-8"))
