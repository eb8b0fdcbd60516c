"""Make the embedded default dataset (data/default/*.csv) from the real Norfolk files.

Run: python -m pipelines.make_default_data --real ../shared/data/real

What is real, what is a proxy and what is inferred or synthetic is written into every row's
``source`` column and summarised in the README:
- institutions, names, kinds and locations: real (DfE performance tables 2018/19);
  districts: real boundaries (ONS LAD May 2020) with each point placed inside them;
- Year 10: a proxy, the Year 11 cohort at the end of KS4 in summer 2019 (TPUP), which is
  the same pupils as Year 10 in the January 2018 census;
- partnerships: the 2008 14-19 collaborative groups (sourced names), members matched to
  2019 URNs by name or by GIAS predecessor links (inferred), schools of localities the
  source does not list placed in a partnership per district (inferred), colleges placed
  by distance (inferred);
- accreditation, health checks and the previous allocation: synthetic, for demonstration;
- the dataset's reference date (the default "as of" day): chosen, 1 September 2018.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import polars as pl
from shapely import make_valid
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from pipelines import config
from pipelines import districts as map_districts

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
    return pl.DataFrame(rows, infer_schema_length=None).sort("urn")


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


def build_roster(real: Path, register: pl.DataFrame) -> pl.DataFrame:
    members = _sourced_members(real, register)
    placed = {m["member_id"] for m in members}
    info = {r["urn"]: r for r in register.iter_rows(named=True)}
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
    centres = _centres(members, info)
    for urn, r in info.items():
        if r["kind"] != "college" or r["latitude"] is None:
            continue
        here = (r["latitude"], r["longitude"])
        distances = {code: _km(here, centre) for code, centre in centres.items()}
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
    return pl.DataFrame(
        {
            "reference_date": [REFERENCE_DATE],
            "name": ["Norfolk 14-19 partnerships, 2018/19"],
            "description": [
                "Real Norfolk schools and colleges (DfE 2018/19), the 2008 14-19 groupings, Year 10 proxy for the "
                f"{CENSUS_DATE} census, synthetic accreditation of {ACCREDITED_ON}. Memberships and accreditation are "
                f"judged as of {REFERENCE_DATE}, the start of the 2018/19 school year, unless a day is chosen."
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
                "UKPRN": "",
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None).sort("URN")


def write_cp1252_csv(frame: pl.DataFrame, path: Path) -> None:
    """GIAS downloads are Windows-1252; the sample is written the same way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(frame.write_csv().encode("cp1252"))


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
        frame.write_csv(out / f"{kind}.csv")
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


if __name__ == "__main__":
    main()
