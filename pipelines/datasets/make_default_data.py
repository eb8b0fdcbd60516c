"""Make the embedded default dataset (data/default/*.csv) from the real Norfolk files.

Run: python -m pipelines.datasets.make_default_data --real ../shared/data/real

What is real, what is a proxy and what is inferred or synthetic is written into every row's
``source`` column and summarised in the README:
- institutions, names, kinds and locations: real (DfE performance tables 2018/19);
  districts: real boundaries (ONS LAD May 2020) with each point placed inside them;
- Year 10: a proxy, the Year 11 cohort at the end of KS4 in summer 2019 (TPUP), which is
  the same pupils as Year 10 in the January 2018 census;
- colleges and work-based learning providers the performance tables lack: real UKPRNs and
  names from a provider list; they have no coordinates here, so they are not on the map;
- partnerships: the 2008 14-19 collaborative groups (sourced names), members matched to
  2019 URNs by name or by GIAS predecessor links (inferred); the 2008/09 Diploma consortia
  (sourced names and members), each member matched to a 2019 URN and labelled sourced (the
  source's name begins the 2019 or GIAS predecessor name of exactly one establishment) or
  inferred (a looser match); schools named in neither placed in a partnership per district
  (inferred); colleges named in a consortium full members of it (sourced), and every located
  college also placed by distance among the other partnerships (inferred);
- accreditation, health checks and the previous allocation: synthetic, for demonstration;
- the dataset's reference date (the default "as of" day): chosen, 1 September 2018.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
from pathlib import Path

import polars as pl
from shapely import make_valid
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from pipelines.base import clock, config, csv_out
from pipelines.datasets import districts as map_districts

CENSUS_DATE = "2018-01-18"  # spring census 2018, when the 2019 Year 11 cohort was in Year 10
PARTNERSHIPS_FROM = "2009-09-01"  # partnerships replace the Area Learning Boards after 2008/9
ACCREDITED_ON = "2018-03-01"
# The day the data is "as of": the first day of the 2018/19 school year. The census is January
# 2018, accreditation March 2018 with reviews due March 2019, so 2018/19 is the year the data
# describes; its start is the day the Group would have shared the year's money.
REFERENCE_DATE = "2018-09-01"
COLLEGE_REACH_KM = 20.0  # a college joins every partnership whose centre is this close

# The 2008 groupings (sourced names) and the codes we give them.
GROUPINGS = {
    "West (Locality 1)": "LOC1",
    "West (Locality 2)": "LOC2",
    "North (Locality 3+)": "LOC3",
    "North (Locality 4)": "LOC4",
    "West Norwich and Dereham (Locality 7/5)": "LOC5-7",
    "South Norwich (Locality 8)": "LOC8",
    "Yarmouth and Gorleston (Locality 9/10)": "LOC9-10",
}

# 2008 members the source could not match by name, matched through a GIAS predecessor link:
# 2008 name -> (2019 URN, predecessor URN). Each link is checked against norfolk_gias_links.csv.
LINKED_MEMBERS = {
    "Park High (Academy Framework)": (136202, 121156),
    "Terrington St Clement High": (140557, 121216),
    "Hamond's High, Swaffham": (138918, 121183),
    "Methwold High": (139058, 121165),
    "Costessey High (Academy)": (136186, 121211),
    "Neatherd High, Dereham": (144316, 121182),
    "Oriel College": (136187, 121177),
    "Sheringham High": (137621, 121214),
    "Earlham High (Academy)": (135904, 121175),
}
# Matched by name only (no GIAS link in the extract).
NAMED_MEMBERS = {"Woodfields CNS": (121258, "Sheringham Woodfields School")}

# The 2008/09 Diploma consortia (EDP article; members sourced) and the codes we give them. The
# two consortia approved for 2008 (Hansard) list no members: "Norwich city (Open Opportunity)"
# is the Norwich Open Opportunity consortium, and "Extended Rural Norfolk Federation" has no
# member to place, so neither becomes a partnership of its own.
CONSORTIA = {
    "Norwich Open Opportunity": ("DC-NOO", "Norwich Open Opportunity (2008/09 Diploma consortium)"),
    "North-east Norwich": ("DC-NEN", "North-east Norwich (2008/09 Diploma consortium)"),
    "Wensum Partnership": ("DC-WENSUM", "Wensum Partnership (2008/09 Diploma consortium)"),
    "All Routes consortium": ("DC-ALL-ROUTES", "All Routes (2008/09 Diploma consortium, list cut short in the source)"),
}
CONSORTIUM_SOURCE = "EDP 'Schools vying to offer diplomas revealed', 2008/09 Diploma consortia, likely bidders"
# Words that say what kind of school a name is, not which one; a looser match ignores them.
GENERIC_WORDS = {"the", "of", "and", "high", "school", "college", "academy", "community", "sixth", "form"}

# Providers from the UKPRN list that are 14-19 providers (the rest are higher-education bodies).
WBL_PROVIDERS = (10028607, 10042093)  # KLM UK Engineering, Matrix Training Consultancy
# East Coast College is registered in Suffolk; the college list's Great Yarmouth College, which
# the council's papers count as the sixth college, has no URN or UKPRN in the sources.
EAST_COAST_COLLEGE = 10004116

# Schools of localities the 2008 source does not list go to a partnership per district.
DISTRICT_PARTNERSHIPS = {
    "Norwich": ("INF-NORWICH", "Norwich (inferred from district)"),
    "Broadland": ("INF-BROADLAND", "Broadland (inferred from district)"),
    "South Norfolk": ("INF-SOUTH-NORFOLK", "South Norfolk (inferred from district)"),
    "Breckland": ("INF-BRECKLAND", "Breckland South (inferred from district)"),
}

KIND_BY_CATEGORY = {
    "high_school": "high_school",
    "pupil_referral_unit": "pru",
    "fe_college": "college",
    "sixth_form_college": "college",
    "independent": "other",
}
SCHOOL_KINDS = ("high_school", "special_school", "pru")
KIND_LABEL = {"pru": "pupil referral unit", "special_school": "special school", "high_school": "high school"}

HEALTH_CHECK_ITEMS = (
    "Partnership agreement signed by all members",
    "Partnership manager or lead named",
    "Every member high school, special school and PRU represented",
    "At least one college a full member",
    "Travel-to-learn coverage agreed with neighbours",
    "Local 14-19 offer published for learners",
)
PREVIOUS_POT = 350_000  # synthetic: an illustrative 2008/9 pot, split equally


def load_districts(path: Path) -> list[tuple[str, BaseGeometry]]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    # The generalised boundaries carry slivers that self-intersect; make_valid repairs them.
    return [(f["properties"]["lad_name"], make_valid(shape(f["geometry"]))) for f in features]


def district_of(lat: float | None, lon: float | None, districts: list[tuple[str, BaseGeometry]]) -> str | None:
    if lat is None or lon is None:
        return None
    point = Point(lon, lat)
    inside = [name for name, polygon in districts if polygon.covers(point)]
    if inside:
        return inside[0]
    # On the coast the generalised boundary can miss a school by metres: take the nearest.
    return min(districts, key=lambda d: d[1].distance(point))[0]


def build_register(real: Path, districts: list[tuple[str, BaseGeometry]]) -> pl.DataFrame:
    est = pl.read_csv(real / "norfolk_establishments_2019.csv", infer_schema=False)
    rows = []
    for r in est.iter_rows(named=True):
        category = r["category"]
        independent = r["nftype"] in ("IND", "INDSPEC")
        kind = "other" if independent else KIND_BY_CATEGORY.get(category, category)
        lat = float(r["latitude"]) if r["latitude"] not in (None, "", "NA") else None
        lon = float(r["longitude"]) if r["longitude"] not in (None, "", "NA") else None
        district = district_of(lat, lon, districts)
        notes = [f"DfE performance tables 2018/19 (category {category})"]
        name = r["schname"]
        if not name:
            name = f"Unnamed {KIND_LABEL[kind]} (URN {r['urn']})"
            notes.append("name missing in source")
        elif r["name_source"] == "gias_links_2025":
            notes.append("name from GIAS links 2025, may be a later name")
        if independent:
            notes.append("independent: outside the partnership rules")
        notes.append("district from ONS LAD boundary" if district else "no location in source: district unknown")
        rows.append(
            {
                "urn": r["urn"],
                "ukprn": None,
                "name": name,
                "kind": kind,
                "la_code": "926",
                "district": district,
                "status": "open",
                "opened": None,
                "closed": None,
                "easting": None,
                "northing": None,
                "latitude": lat,
                "longitude": lon,
                "source": "; ".join(notes),
            }
        )
    ukprns = _college_ukprns(real)
    for row in rows:
        found = ukprns.get(_norm(row["name"]))
        if found and row["kind"] == "college":
            row["ukprn"] = found[0]
            row["source"] += f"; {found[1]}"
    rows.extend(_provider_rows(real))
    return pl.DataFrame(rows, infer_schema_length=None).sort("urn", "ukprn", nulls_last=True)


def _norm(name: str) -> str:
    """A name as words: lower case, '&' as 'and', no punctuation, no leading 'The'."""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _college_ukprns(real: Path) -> dict[str, tuple[str, str]]:
    """UKPRNs for the register's colleges: the provider list and the college list share a postcode,
    and the college list's name is the register's. Returns normalised name -> (UKPRN, note)."""
    providers = pl.read_csv(real / "norfolk_providers_ukprn_postcode.csv", infer_schema=False)
    colleges = pl.read_csv(real / "norfolk_colleges_postcodes.csv", infer_schema=False)
    by_postcode = dict(colleges.select("postcode", "college_name").rows())
    found = {}
    for ukprn, name, postcode in providers.select("ukprn", "name", "postcode").rows():
        if postcode in by_postcode:
            note = (
                f"UKPRN {ukprn} ('{name}') from a UKPRN list of providers (UKRLP records, 2018), inferred: "
                f"the list's postcode {postcode} is this college's in a list of colleges (2017)"
            )
            found[_norm(by_postcode[postcode])] = (ukprn, note)
    return found


def _provider_rows(real: Path) -> list[dict]:
    """The 14-19 providers of the UKPRN list that the performance tables lack. They have a
    registered office but no coordinates (there is no postcode lookup here), so no point."""
    providers = pl.read_csv(real / "norfolk_providers_ukprn_postcode.csv", infer_schema=False)
    rows = []
    for r in providers.iter_rows(named=True):
        ukprn = int(r["ukprn"])
        if ukprn not in (*WBL_PROVIDERS, EAST_COAST_COLLEGE):
            continue  # a higher-education body, not a 14-19 provider
        notes = [f"UKPRN list of providers (UKRLP records, 2018): registered office {r['address']}"]
        if ukprn == EAST_COAST_COLLEGE:
            kind, la_code = "college", None
            notes.append(
                "registered in Suffolk; inferred: it stands for the Great Yarmouth College (NR31 0ED) of a list of "
                "colleges (2017), the sixth college of the council's papers, which has no URN or UKPRN in the sources "
                "(East Coast College was formed from the Great Yarmouth and Lowestoft colleges in 2017, a fact from "
                "outside these sources)"
            )
        else:
            kind, la_code = "wbl_provider", "926"
            notes.append("a work-based learning provider")
        notes.append("no coordinates in the sources (a postcode is not a location): not on the map, district unknown")
        rows.append(
            {
                "urn": None,
                "ukprn": str(ukprn),
                "name": r["name"],
                "kind": kind,
                "la_code": la_code,
                "district": None,
                "status": "open",
                "opened": None,
                "closed": None,
                "easting": None,
                "northing": None,
                "latitude": None,
                "longitude": None,
                "source": "; ".join(notes),
            }
        )
    return rows


def colleges_not_in_register(real: Path, register: pl.DataFrame) -> list[tuple[str, str]]:
    """The college list's colleges the register does not hold under their own name, and why."""
    names = {_norm(n) for n in register["name"]}
    links = pl.read_csv(real / "norfolk_gias_links.csv", infer_schema=False)
    merged = {
        _norm(name): f"merged into URN {urn} on {day} (GIAS links)"
        for urn, name, kind, day in links.select("URN", "LinkName", "LinkType", "LinkEstablishedDate").rows()
        if kind == "Predecessor - merged"
    }
    colleges = pl.read_csv(real / "norfolk_colleges_postcodes.csv", infer_schema=False)
    missing = []
    for name in colleges["college_name"]:
        key = _norm(name)
        if key in names:
            continue
        word_match = [why for merged_name, why in merged.items() if merged_name.split()[0] == key.split()[0]]
        if name == "Great Yarmouth College":
            why = f"loaded as East Coast College (UKPRN {EAST_COAST_COLLEGE}), inferred"
        elif word_match:
            why = word_match[0]
        else:
            why = "no URN or UKPRN in the sources"
        missing.append((name, why))
    return missing


def build_census(real: Path) -> pl.DataFrame:
    est = pl.read_csv(real / "norfolk_establishments_2019.csv", infer_schema=False)
    cohort = est.filter(pl.col("tpup").str.contains(r"^\d+$") & ~pl.col("nftype").is_in(["IND", "INDSPEC"]))
    return cohort.select(
        pl.col("urn"),
        pl.lit(CENSUS_DATE).alias("census_date"),
        pl.lit(10).alias("nc_year"),
        pl.col("tpup").cast(pl.Int64).alias("headcount"),
        pl.lit("proxy: Year 11 cohort at end of KS4 2019 (DfE KS4 TPUP) standing in for Year 10 in January 2018").alias("source"),
    ).sort("urn")


def _check_links(real: Path) -> None:
    links = pl.read_csv(real / "norfolk_gias_links.csv", infer_schema=False)
    pairs = set(links.filter(pl.col("LinkType").str.starts_with("Predecessor")).select("URN", "LinkURN").rows())
    for name, (urn, predecessor) in LINKED_MEMBERS.items():
        if (str(urn), str(predecessor)) not in pairs:
            raise ValueError(f"no GIAS predecessor link {predecessor} -> {urn} for {name!r}")


def _sourced_members(real: Path, register: pl.DataFrame) -> list[dict]:
    _check_links(real)
    names = dict(register.select("urn", "name").rows())
    groups = pl.read_csv(real / "norfolk_14_19_groupings_from_documents.csv", infer_schema=False)
    members = []
    for r in groups.iter_rows(named=True):
        code = GROUPINGS[r["grouping_name"]]
        member = r["member_name"]
        if r["urn"]:
            urn, how = r["urn"], "URN matched by name (inferred)"
        elif member in LINKED_MEMBERS:
            urn, predecessor = LINKED_MEMBERS[member]
            urn, how = str(urn), f"URN via GIAS predecessor link from {predecessor} (inferred)"
        elif member in NAMED_MEMBERS:
            urn, how = str(NAMED_MEMBERS[member][0]), f"URN matched by name to {NAMED_MEMBERS[member][1]} (inferred)"
        else:
            continue  # printed by main() as unmatched
        if urn not in names:
            continue
        members.append(
            {
                "partnership_code": code,
                "partnership_name": r["grouping_name"],
                "member_id": urn,
                "source": f"2008 member '{member}' (NCC MI sheet 194/08); {how}",
            }
        )
    return members


def unmatched_2008_members(real: Path) -> list[tuple[str, str]]:
    groups = pl.read_csv(real / "norfolk_14_19_groupings_from_documents.csv", infer_schema=False)
    return [
        (r["grouping_name"], r["member_name"])
        for r in groups.iter_rows(named=True)
        if not r["urn"] and r["member_name"] not in LINKED_MEMBERS and r["member_name"] not in NAMED_MEMBERS
    ]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance; the same formula the travel-to-learn check uses."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def consortium_matches(real: Path, register: pl.DataFrame) -> list[dict]:
    """Each consortium member as named, with its 2019 URN (None when nothing matches) and how.

    Sourced: the source's name begins the 2018/19 name, or the name of a GIAS predecessor, of
    exactly one establishment in the register, so the documents themselves tie it to the URN.
    Inferred: the name is cut short in the source, or only its distinctive words match."""
    links = pl.read_csv(real / "norfolk_gias_links.csv", infer_schema=False)
    candidates = [(r["urn"], r["name"], "its 2018/19 name") for r in register.iter_rows(named=True) if r["urn"]]
    in_register = {c[0] for c in candidates}
    candidates += [
        (urn, name, f"the name of its GIAS predecessor {linked}")
        for urn, linked, name, kind in links.select("URN", "LinkURN", "LinkName", "LinkType").rows()
        if urn in in_register and kind.startswith("Predecessor")
    ]
    consortia = pl.read_csv(real / "norfolk_diploma_consortia_2008_2009.csv", infer_schema=False)
    matches = []
    for consortium, named in consortia.select("consortium", "member_institution_as_named").rows():
        if consortium not in CONSORTIA:
            continue  # approved for 2008 with no members listed
        cut_short = "truncated" in named
        clean = re.sub(r"\s*\(.*\)\s*$", "", named).replace("[", "").replace("]", "")
        key = _norm(clean)
        prefix: dict[str, tuple[str, str]] = {}
        for urn, name, where in candidates:
            if (_norm(name) + " ").startswith(key + " "):
                prefix.setdefault(urn, (name, where))
        words = set(key.split()) - GENERIC_WORDS
        loose: dict[str, tuple[str, str]] = {}
        for urn, name, where in candidates:
            if words and words <= set(_norm(name).split()):
                loose.setdefault(urn, (name, where))
        urn, status, how = None, "unmatched", "no establishment in the register or GIAS links has this name"
        if len(prefix) == 1:
            urn, (name, where) = next(iter(prefix.items()))
            if cut_short:
                status, how = "inferred", f"the name is cut short in the source; '{clean}' begins {where}, '{name}'"
            else:
                status, how = "sourced", f"'{clean}' begins {where}, '{name}'"
        elif not prefix and len(loose) == 1:
            urn, (name, where) = next(iter(loose.items()))
            status, how = "inferred", f"only {where}, '{name}', has the words '{' '.join(sorted(words))}'"
        matches.append({"consortium": consortium, "named": clean, "urn": urn, "status": status, "how": how})
    return matches


def _consortium_members(real: Path, register: pl.DataFrame) -> list[dict]:
    members = []
    for m in consortium_matches(real, register):
        if m["urn"] is None:
            continue  # printed by main() as unmatched
        code, name = CONSORTIA[m["consortium"]]
        consortium = m["consortium"] if m["consortium"].endswith("consortium") else f"{m['consortium']} consortium"
        members.append(
            {
                "partnership_code": code,
                "partnership_name": name,
                "member_id": m["urn"],
                "source": f"{m['status']}: '{m['named']}' named in the {consortium} ({CONSORTIUM_SOURCE}); "
                f"URN {m['urn']}: {m['how']}",
            }
        )
    return members


def build_roster(real: Path, register: pl.DataFrame) -> pl.DataFrame:
    members = _sourced_members(real, register) + _consortium_members(real, register)
    placed = {m["member_id"] for m in members}
    info = {r["urn"]: r for r in register.iter_rows(named=True) if r["urn"]}
    for urn, r in info.items():
        if r["kind"] in SCHOOL_KINDS and urn not in placed and r["district"] in DISTRICT_PARTNERSHIPS:
            code, name = DISTRICT_PARTNERSHIPS[r["district"]]
            members.append(
                {
                    "partnership_code": code,
                    "partnership_name": name,
                    "member_id": urn,
                    "source": f"inferred: 2008 locality not in source; placed by district ({r['district']})",
                }
            )
    # Colleges the consortia name are members of those (above); among the other partnerships,
    # whose sources list no college, every located college is placed by distance to the schools.
    consortium_codes = {code for code, _ in CONSORTIA.values()}
    centres = _centres([m for m in members if info[m["member_id"]]["kind"] in SCHOOL_KINDS], info)
    for urn, r in info.items():
        if r["kind"] != "college" or r["latitude"] is None:
            continue
        here = (r["latitude"], r["longitude"])
        distances = {code: _km(here, centre) for code, centre in centres.items() if code not in consortium_codes}
        nearest = min(distances, key=lambda c: distances[c])
        for code, km in sorted(distances.items()):
            if code == nearest or km <= COLLEGE_REACH_KM:
                members.append(
                    {
                        "partnership_code": code,
                        "partnership_name": _name_of(code, members),
                        "member_id": urn,
                        "source": f"inferred: college placed by distance to partnership centre ({km:.1f} km)",
                    }
                )
    frame = pl.DataFrame(members).with_columns(
        pl.lit("full").alias("role"),
        pl.lit(PARTNERSHIPS_FROM).alias("joined"),
        pl.lit(None, pl.String).alias("left"),
    )
    return frame.select("partnership_code", "partnership_name", "member_id", "role", "joined", "left", "source").sort(
        "partnership_code", "member_id"
    )


def _centres(members: list[dict], info: dict) -> dict[str, tuple[float, float]]:
    points: dict[str, list[tuple[float, float]]] = {}
    for m in members:
        r = info[m["member_id"]]
        if r["latitude"] is not None:
            points.setdefault(m["partnership_code"], []).append((r["latitude"], r["longitude"]))
    return {code: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps)) for code, ps in points.items()}


def _name_of(code: str, members: list[dict]) -> str:
    return next(m["partnership_name"] for m in members if m["partnership_code"] == code)


def build_accreditation(roster: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    codes = roster["partnership_code"].unique().sort().to_list()
    decisions, checks = [], []
    for code in codes:
        pending = code == "LOC8"
        status = "pending" if pending else "accredited"
        note = (
            "synthetic: roster truncated in the 2008 source, pending until confirmed"
            if pending
            else "synthetic, for demonstration"
        )
        decisions.append(
            {"partnership_code": code, "status": status, "decided_on": ACCREDITED_ON, "review_due": "2019-03-01", "notes": note}
        )
        for index, item in enumerate(HEALTH_CHECK_ITEMS):
            met = not (pending and index in (0, 2))
            checks.append(
                {
                    "partnership_code": code,
                    "decided_on": ACCREDITED_ON,
                    "item": item,
                    "met": "yes" if met else "no",
                    "note": "synthetic",
                }
            )
    return pl.DataFrame(decisions), pl.DataFrame(checks)


def build_dataset() -> pl.DataFrame:
    census, accredited, reference = (
        clock.day_text(dt.date.fromisoformat(day)) for day in (CENSUS_DATE, ACCREDITED_ON, REFERENCE_DATE)
    )
    return pl.DataFrame(
        {
            "reference_date": [REFERENCE_DATE],
            "name": ["Norfolk 14-19 partnerships, 2018/19"],
            "description": [
                "Real Norfolk schools, colleges and training providers (DfE 2018/19, a UKPRN list), the 2008 14-19 "
                "groupings and the 2008/09 Diploma consortia, Year 10 proxy for the "
                f"{census} census, synthetic accreditation of {accredited}. Memberships and accreditation are "
                f"judged as of {reference}, the start of the 2018/19 school year, unless a day is chosen. "
                "Partnership codes: LOC… are the 2008 14-19 collaborative groups (the council's localities, "
                "NCC MI sheet 194/08); DC-… the 2008/09 Diploma consortia (as the Eastern Daily Press listed them); INF-… "
                "partnerships inferred from the district, for the schools neither source names."
            ],
            "source": [
                "chosen: the start of the 2018/19 school year, the year the census (January 2018) and the accreditation "
                "(March 2018, reviews due March 2019) describe"
            ],
        }
    )


def build_previous_allocation() -> pl.DataFrame:
    codes = sorted(GROUPINGS.values())
    share = PREVIOUS_POT // len(codes)
    amounts = [share] * len(codes)
    amounts[0] += PREVIOUS_POT - share * len(codes)
    return pl.DataFrame(
        {
            "partnership_code": codes,
            "amount": [f"{a}.00" for a in amounts],
            "source": ["synthetic: illustrative equal split of £350,000 across the 2008 groupings, not a council figure"]
            * len(codes),
        }
    )


GIAS_TYPE_BY_NFTYPE = {
    "AC": "Academy sponsor led",
    "ACC": "Academy converter",
    "CY": "Community school",
    "FD": "Foundation school",
    "F": "Free schools",
    "UTC": "University technical college",
    "FDS": "Foundation special school",
    "ACCS": "Academy special converter",
    "IND": "Other independent school",
    "INDSPEC": "Other independent special school",
    "FE": "Further education",
}
GIAS_TYPE_BY_CATEGORY = {
    "pupil_referral_unit": "Pupil referral unit",
    "special_school": "Academy special sponsor led",
    "sixth_form_college": "Further education",
    "fe_college": "Further education",
}
GIAS_PHASE_BY_CATEGORY = {"high_school": "Secondary", "fe_college": "16 plus", "sixth_form_college": "16 plus"}


def build_gias_sample(real: Path, register: pl.DataFrame) -> pl.DataFrame:
    """The real establishments re-shaped into the GIAS download layout, to show and test
    that a GIAS file loads as it comes. Types are reconstructed from DfE performance-table
    codes, and Easting/Northing converted from the published latitude/longitude."""
    from pyproj import Transformer

    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    est = pl.read_csv(real / "norfolk_establishments_2019.csv", infer_schema=False)
    names = dict(register.select("urn", "name").rows())
    districts = dict(register.select("urn", "district").rows())
    ukprns = dict(register.select("urn", "ukprn").rows())
    rows = []
    for r in est.iter_rows(named=True):
        easting = northing = None
        if r["latitude"] not in (None, "", "NA"):
            e, n = to_bng.transform(float(r["longitude"]), float(r["latitude"]))
            easting, northing = round(e), round(n)
        rows.append(
            {
                "URN": r["urn"],
                "LA (code)": "926",
                "LA (name)": "Norfolk",
                "EstablishmentNumber": r["estab"],
                "EstablishmentName": names[r["urn"]],
                "TypeOfEstablishment (name)": GIAS_TYPE_BY_NFTYPE.get(
                    r["nftype"] or "", GIAS_TYPE_BY_CATEGORY.get(r["category"], "")
                ),
                "EstablishmentStatus (name)": "Open",
                "PhaseOfEducation (name)": GIAS_PHASE_BY_CATEGORY.get(r["category"], "Not applicable"),
                "OpenDate": "",
                "CloseDate": "",
                "Postcode": r["postcode"],
                "Town": r["town"],
                "DistrictAdministrative (name)": districts[r["urn"]],
                "Easting": easting,
                "Northing": northing,
                "UKPRN": ukprns[r["urn"]] or "",
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None).sort("URN")


def write_cp1252_csv(frame: pl.DataFrame, path: Path) -> None:
    """GIAS downloads are Windows-1252; the sample is written the same way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_out.frame_csv(frame).encode("cp1252"))


def make(real: Path, out: Path, districts_path: Path) -> dict[str, pl.DataFrame]:
    districts = load_districts(districts_path)
    register = build_register(real, districts)
    roster = build_roster(real, register)
    accreditation, health_check = build_accreditation(roster)
    frames = {
        "register": register,
        "census": build_census(real),
        "roster": roster,
        "accreditation": accreditation,
        "health_check": health_check,
        "previous_allocation": build_previous_allocation(),
        "dataset": build_dataset(),
    }
    out.mkdir(parents=True, exist_ok=True)
    for kind, frame in frames.items():
        (out / f"{kind}.csv").write_bytes(csv_out.frame_csv(frame).encode("utf-8"))
    write_cp1252_csv(build_gias_sample(real, register), out.parent / "samples" / "gias_norfolk_2019.csv")
    reference = out.parent / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    map_districts.write_map_file(districts_path, reference / map_districts.MAP_FILE.name)
    return frames


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=config.PROJECT_ROOT.parent / "shared" / "data" / "real")
    parser.add_argument("--out", type=Path, default=config.DEFAULT_DATA_DIR)
    parser.add_argument("--districts", type=Path, default=config.REFERENCE_DIR / "norfolk_districts.geojson")
    args = parser.parse_args(argv)
    frames = make(args.real, args.out, args.districts)
    for kind, frame in frames.items():
        print(f"{kind}: {frame.height} rows")
    for grouping, member in unmatched_2008_members(args.real):
        print(f"unmatched 2008 member: {grouping}: {member}")
    matches = consortium_matches(args.real, frames["register"])
    for status in ("sourced", "inferred"):
        print(f"consortium members matched ({status}): {sum(m['status'] == status for m in matches)}")
    for m in matches:
        if m["urn"] is None:
            print(f"unmatched consortium member: {m['consortium']}: {m['named']}")
    for name, why in colleges_not_in_register(args.real, frames["register"]):
        print(f"college list: {name}: {why}")


if __name__ == "__main__":
    main()
