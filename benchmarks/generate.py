"""Generate SYNTHETIC files in the real layouts, for benchmarks. Seeded, so every run makes
the same files. Nothing here describes a real institution: names are "Synthetic ... NNNNN"
and URNs start at 400000.

    python benchmarks/generate.py register --rows 50000 --out /tmp/gias_50k.csv
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.gias import COLLEGE_TYPES, MAINSTREAM_TYPES, OTHER_TYPES, PRU_TYPES, SPECIAL_TYPES

# A block of central England in British National Grid metres: all of it on land.
EASTING = (350_000, 550_000)
NORTHING = (150_000, 450_000)
GIAS_FILLER_COLUMNS = 100  # a real GIAS download has about 130 columns


def gias_register(rows: int, seed: int = 2009) -> pl.DataFrame:
    """A GIAS-layout establishment list with England's mix of types and phases."""
    rng = random.Random(seed)
    weighted = (
        [(t, "Primary") for t in sorted(MAINSTREAM_TYPES)] * 6
        + [(t, "Secondary") for t in sorted(MAINSTREAM_TYPES)] * 2
        + [(t, "Not applicable") for t in sorted(SPECIAL_TYPES | PRU_TYPES | OTHER_TYPES)]
        + [(t, "16 plus") for t in sorted(COLLEGE_TYPES)]
    )
    statuses = ["Open"] * 17 + ["Closed"] * 2 + ["Open, but proposed to close", "Proposed to open"]
    records = []
    for i in range(rows):
        kind, phase = rng.choice(weighted)
        status = rng.choice(statuses)
        located = rng.random() > 0.02
        records.append(
            {
                "URN": 400000 + i,
                "LA (code)": str(rng.randint(800, 940)),
                "EstablishmentNumber": str(rng.randint(1000, 7999)),
                "EstablishmentName": f"Synthetic {kind.split()[0]} School {i:05d}",
                "TypeOfEstablishment (name)": kind,
                "EstablishmentStatus (name)": status,
                "PhaseOfEducation (name)": phase,
                "OpenDate": f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(1950, 2023)}",
                "CloseDate": "31-08-2024" if status == "Closed" else "",
                "UKPRN": str(10_000_000 + i) if rng.random() < 0.6 else "",
                "DistrictAdministrative (name)": f"Synthetic District {rng.randint(1, 300)}",
                "Easting": str(rng.randint(*EASTING)) if located else "",
                "Northing": str(rng.randint(*NORTHING)) if located else "",
                **{f"GIASColumn{c:03d}": f"value {rng.randint(0, 99)}" for c in range(GIAS_FILLER_COLUMNS)},
            }
        )
    return pl.DataFrame(records)


def england(seed: int = 2009, partnerships: int = 1000, census_years: int = 1) -> dict[str, pl.DataFrame]:
    """An England-sized authority set in our own layouts: about 3,500 high schools, 1,000
    special schools, 350 PRUs, 250 colleges, 1,000 WBL providers and ``partnerships``
    partnerships, with a few percent of schools uncovered or in two partnerships, some closed
    schools, colleges in several partnerships, and Year 10 cohorts of 20-350."""
    rng = random.Random(seed)
    centres = [(rng.uniform(51.0, 54.5), rng.uniform(-2.8, 1.5)) for _ in range(partnerships)]
    counts = {"high_school": 3500, "special_school": 1000, "pru": 350, "college": 250, "wbl_provider": 1000}
    register: list[dict[str, Any]] = []
    census: list[dict[str, Any]] = []
    roster: list[dict[str, Any]] = []
    next_urn, next_ukprn = 400000, 10_000_000
    codes = [f"SYN{p:04d}" for p in range(partnerships)]
    for kind, n in counts.items():
        for _ in range(n):
            home = rng.randrange(partnerships)
            lat, lon = centres[home]
            provider = kind in ("college", "wbl_provider")
            urn = None if kind == "wbl_provider" else next_urn  # colleges have a URN in GIAS too
            ukprn = next_ukprn if provider else None
            next_urn, next_ukprn = next_urn + (urn is not None), next_ukprn + provider
            closed = not provider and rng.random() < 0.02
            register.append(
                {
                    "urn": urn,
                    "ukprn": ukprn,
                    "name": f"Synthetic {kind.replace('_', ' ')} {urn or ukprn}",
                    "kind": kind,
                    "la_code": str(800 + home % 150),
                    "district": f"Synthetic District {home % 300}",
                    "status": "closed" if closed else "open",
                    "closed": "2024-08-31" if closed else None,
                    "latitude": round(lat + rng.uniform(-0.08, 0.08), 5),
                    "longitude": round(lon + rng.uniform(-0.12, 0.12), 5),
                }
            )
            member_id = ukprn or urn  # rosters name providers by UKPRN
            if kind in ("high_school", "special_school"):
                cohort = rng.randint(20, 350) if kind == "high_school" else rng.randint(5, 40)
                for year in range(census_years):
                    for nc_year in (7, 8, 9, 10, 11):
                        census.append(
                            {
                                "urn": urn,
                                "census_date": f"{2025 - year}-01-16",
                                "nc_year": nc_year,
                                "headcount": max(0, cohort + rng.randint(-cohort // 10, cohort // 10)),
                            }
                        )
            if provider:
                homes = rng.sample(range(partnerships), rng.randint(1, 4) if kind == "college" else rng.randint(0, 2))
            else:
                roll = rng.random()
                homes = [] if roll < 0.03 else [home, rng.randrange(partnerships)] if roll < 0.06 else [home]
            for member_home in set(homes):
                roster.append(
                    {
                        "partnership_code": codes[member_home],
                        "partnership_name": f"Synthetic partnership {member_home}",
                        "member_id": member_id,
                        "role": "full",
                        "joined": "2009-09-01",
                        "left": None,
                    }
                )
    statuses = ["accredited"] * 8 + ["pending", "lapsed"]
    with_members = sorted({r["partnership_code"] for r in roster})
    accreditation = [{"partnership_code": c, "status": rng.choice(statuses), "decided_on": "2025-06-01"} for c in with_members]
    previous = [{"partnership_code": c, "amount": f"{rng.randint(20_000, 80_000)}.00"} for c in with_members]
    return {
        "register": pl.DataFrame(register, infer_schema_length=None),
        "census": pl.DataFrame(census),
        "roster": pl.DataFrame(roster, infer_schema_length=None),
        "accreditation": pl.DataFrame(accreditation),
        "previous_allocation": pl.DataFrame(previous),
    }


# Our kind -> a GIAS type and phase that maps back to it.
GIAS_TYPE = {
    "high_school": ("Academy converter", "Secondary"),
    "special_school": ("Community special school", "Not applicable"),
    "pru": ("Pupil referral unit", "Not applicable"),
    "college": ("Further education", "16 plus"),
}


def to_gias(register: pl.DataFrame, seed: int = 2009) -> pl.DataFrame:
    """Schools and colleges as the GIAS download lists them (WBL providers are not in GIAS):
    its column names, dd-mm-yyyy dates, British National Grid metres and ~100 other columns."""
    from pyproj import Transformer

    rng = random.Random(seed)
    listed = register.filter(pl.col("kind") != "wbl_provider")
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    easting, northing = to_grid.transform(listed["longitude"].to_list(), listed["latitude"].to_list())
    types = [GIAS_TYPE[k] for k in listed["kind"]]
    return pl.DataFrame(
        {
            "URN": listed["urn"],
            "LA (code)": listed["la_code"],
            "EstablishmentNumber": [str(rng.randint(1000, 7999)) for _ in range(listed.height)],
            "EstablishmentName": listed["name"],
            "TypeOfEstablishment (name)": [t for t, _ in types],
            "EstablishmentStatus (name)": listed["status"].str.to_titlecase(),
            "PhaseOfEducation (name)": [p for _, p in types],
            "OpenDate": ["01-09-1990"] * listed.height,
            "CloseDate": listed["closed"].str.strptime(pl.Date, "%Y-%m-%d").dt.strftime("%d-%m-%Y").fill_null(""),
            "UKPRN": listed["ukprn"].cast(pl.String).fill_null(""),
            "DistrictAdministrative (name)": listed["district"],
            "Easting": [f"{e:.0f}" for e in easting],
            "Northing": [f"{n:.0f}" for n in northing],
            **{
                f"GIASColumn{c:03d}": [f"value {rng.randint(0, 99)}" for _ in range(listed.height)]
                for c in range(GIAS_FILLER_COLUMNS)
            },
        }
    )


def to_wide(census: pl.DataFrame) -> pl.DataFrame:
    """The census with a column per National Curriculum year, as schools' own returns come."""
    return (
        census.with_columns(pl.format("year_{}", pl.col("nc_year")).alias("year"))
        .pivot(on="year", index=["urn", "census_date"], values="headcount")
        .sort("urn", "census_date")
    )


def write_england(folder: Path, seed: int = 2009, census_years: int = 10) -> list[tuple[str, Path]]:
    """England-sized files in the real layouts, in load order, as (kind, path): the register
    as a cp1252 GIAS download plus a UKPRN list of WBL providers; ten years of census, the
    older half long and the newer half wide; rosters, accreditation and previous amounts."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = england(seed, census_years=census_years)
    census = frames["census"]
    dates = sorted(census["census_date"].unique())
    older = census.filter(pl.col("census_date").is_in(dates[: len(dates) // 2]))
    newer = census.filter(pl.col("census_date").is_in(dates[len(dates) // 2 :]))
    files: list[tuple[str, str, pl.DataFrame]] = [
        ("register", "register_gias.csv", to_gias(frames["register"], seed)),
        ("register", "register_wbl_providers.csv", frames["register"].filter(pl.col("kind") == "wbl_provider")),
        ("census", "census_long.csv", older),
        ("census", "census_wide.csv", to_wide(newer)),
        ("roster", "roster.csv", frames["roster"]),
        ("accreditation", "accreditation.csv", frames["accreditation"]),
        ("previous_allocation", "previous_allocation.csv", frames["previous_allocation"]),
    ]
    written = []
    for kind, name, frame in files:
        path = folder / name
        if name == "register_gias.csv":
            write_cp1252(frame, path)
        elif frame.height:
            frame.write_csv(path)
        else:
            continue
        written.append((kind, path))
    return written


def write_cp1252(frame: pl.DataFrame, path: Path) -> None:
    path.write_bytes(frame.write_csv().encode("cp1252"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["register", "england"])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--out", type=Path, required=True, help="a file (register) or a folder (england)")
    args = parser.parse_args()
    if args.what == "england":
        for kind, path in write_england(args.out, args.seed):
            print(f"wrote synthetic {kind} to {path}")
        return
    write_cp1252(gias_register(args.rows, args.seed), args.out)
    print(f"wrote {args.rows} synthetic GIAS rows to {args.out}")


if __name__ == "__main__":
    main()
