"""Generate SYNTHETIC files in the real layouts, for benchmarks. Seeded, so every run makes
the same files. Nothing here describes a real institution: names are "Synthetic ... NNNNN"
and URNs start at 400000.

    python benchmarks/generate.py register --rows 50000 --out /tmp/gias_50k.csv
    python benchmarks/generate.py england --scale 4 --out /tmp/england_4x
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from pipelines.base import config  # noqa: E402
from pipelines.ingest.gias import COLLEGE_TYPES, MAINSTREAM_TYPES, OTHER_TYPES, PRU_TYPES, SPECIAL_TYPES  # noqa: E402

# A block of central England in British National Grid metres: all of it on land.
EASTING = (350_000, 550_000)
NORTHING = (150_000, 450_000)
GIAS_FILLER_COLUMNS = 100  # a real GIAS download has about 130 columns
# The GIAS list's UKPRNs start clear of every other synthetic provider (the test data's 1000000x and
# the England tiles' 10000000 + 10,000 per tile), since a register may not give a UKPRN to a second
# institution.
GIAS_FIRST_UKPRN = 12_000_000


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
                "UKPRN": str(GIAS_FIRST_UKPRN + i) if rng.random() < 0.6 else "",
                "DistrictAdministrative (name)": f"Synthetic District {rng.randint(1, 300)}",
                "Easting": str(rng.randint(*EASTING)) if located else "",
                "Northing": str(rng.randint(*NORTHING)) if located else "",
                **{f"GIASColumn{c:03d}": f"value {rng.randint(0, 99)}" for c in range(GIAS_FILLER_COLUMNS)},
            }
        )
    return pl.DataFrame(records)


# England's synthetic partnership centres fill this latitude/longitude box; a scaled map is
# tiles of it side by side, each as wide in kilometres as England's (so further west in degrees
# where it lies further north), each with England's schools and partnerships.
TILE_LAT = (51.0, 54.5)
TILE_LON = (-2.8, 1.5)
TILE_JITTER = (0.08, 0.12)  # how far a member lies from its partnership's centre, lat and lon
TILE_URNS = TILE_UKPRNS = 10_000  # ids per tile: URNs 400000-409999 for the first, and so on
BEYOND_GREAT_BRITAIN = "beyond_great_britain.csv"  # true places of tiles the register would refuse


@dataclass(frozen=True)
class Tile:
    """Where one England-sized tile of a scaled map lies: its row and column, and whether all of
    it falls inside Great Britain as the register validation has it (pipelines/base/config.py)."""

    index: int
    row_shift: int  # tiles north (+) or south (-) of England's
    column: int  # tiles west of England's
    lon_stretch: float  # degrees of longitude per England degree: the same kilometres further north

    @staticmethod
    def of(index: int, scale: int) -> Tile:
        columns = math.ceil(math.sqrt(scale))
        row = index // columns
        shift = (row + 1) // 2 * (1 if row % 2 else -1)  # rows 0, +1, -1, +2, ... round England's
        mid = (TILE_LAT[0] + TILE_LAT[1]) / 2
        stretch = math.cos(math.radians(mid)) / math.cos(math.radians(mid + shift * (TILE_LAT[1] - TILE_LAT[0])))
        return Tile(index, shift, index % columns, 1.0 if index == 0 else stretch)

    def place(self, lat: float, lon: float) -> tuple[float, float]:
        """A point of England's box moved to this tile."""
        if self.index == 0:
            return lat, lon
        east = TILE_LON[1]
        width = TILE_LON[1] - TILE_LON[0]
        return lat + self.row_shift * (TILE_LAT[1] - TILE_LAT[0]), east - ((east - lon) + self.column * width) * self.lon_stretch

    @property
    def in_great_britain(self) -> bool:
        (south, west), (north, east) = self.place(TILE_LAT[0], TILE_LON[0]), self.place(TILE_LAT[1], TILE_LON[1])
        margin_lat, margin_lon = TILE_JITTER[0], TILE_JITTER[1] * self.lon_stretch
        return (
            config.GB_LATITUDE[0] <= south - margin_lat
            and north + margin_lat <= config.GB_LATITUDE[1]
            and config.GB_LONGITUDE[0] <= west - margin_lon
            and east + margin_lon <= config.GB_LONGITUDE[1]
        )


def england(seed: int = 2009, partnerships: int = 1000, census_years: int = 1, scale: int = 1) -> dict[str, pl.DataFrame]:
    """An England-sized authority set in our own layouts: about 3,500 high schools, 1,000
    special schools, 350 PRUs, 250 colleges, 1,000 WBL providers and ``partnerships``
    partnerships, with a few percent of schools uncovered or in two partnerships, some closed
    schools, colleges in several partnerships, and Year 10 cohorts of 20-350.

    ``scale`` N makes N England-sized tiles side by side (N times the schools, partnerships and
    area, so the density stays England's), each seeded from ``seed`` and its place; the first tile
    is England as scale 1 makes it, so scale 1 is unchanged. Members belong to partnerships of
    their own tile. Tiles that would fall outside Great Britain (which the register refuses) are
    written at England's own position, and their true places listed in an extra frame,
    ``beyond_great_britain`` (institution_id, latitude, longitude), for a benchmark to move them
    to after loading (benchmarks/stores.py)."""
    tiles = [_england_tile(Tile.of(t, scale), seed, partnerships, census_years, offset=t * partnerships) for t in range(scale)]
    if scale == 1:
        return {kind: frame.drop("beyond_lat", "beyond_lon", strict=False) for kind, frame in tiles[0].items()}
    frames = {kind: pl.concat([tile[kind] for tile in tiles], how="diagonal_relaxed") for kind in tiles[0]}
    register = frames["register"]
    frames["beyond_great_britain"] = register.filter(pl.col("beyond_lat").is_not_null()).select(
        pl.coalesce("urn", "ukprn").cast(pl.Int64).alias("institution_id"),
        pl.col("beyond_lat").alias("latitude"),
        pl.col("beyond_lon").alias("longitude"),
    )
    frames["register"] = register.drop("beyond_lat", "beyond_lon")
    return frames


def _england_tile(tile: Tile, seed: int, partnerships: int, census_years: int, offset: int) -> dict[str, pl.DataFrame]:
    rng = random.Random(seed if tile.index == 0 else f"{seed}/tile {tile.index}")
    centres = [(rng.uniform(*TILE_LAT), rng.uniform(*TILE_LON)) for _ in range(partnerships)]
    placed = tile.in_great_britain
    counts = {"high_school": 3500, "special_school": 1000, "pru": 350, "college": 250, "wbl_provider": 1000}
    register: list[dict[str, Any]] = []
    census: list[dict[str, Any]] = []
    roster: list[dict[str, Any]] = []
    next_urn, next_ukprn = 400000 + tile.index * TILE_URNS, 10_000_000 + tile.index * TILE_UKPRNS
    codes = [f"SYN{offset + p:04d}" for p in range(partnerships)]
    for kind, n in counts.items():
        for _ in range(n):
            home = rng.randrange(partnerships)
            lat, lon = centres[home]
            provider = kind in ("college", "wbl_provider")
            urn = None if kind == "wbl_provider" else next_urn  # colleges have a URN in GIAS too
            ukprn = next_ukprn if provider else None
            next_urn, next_ukprn = next_urn + (urn is not None), next_ukprn + provider
            closed = not provider and rng.random() < 0.02
            at_lat = lat + rng.uniform(-TILE_JITTER[0], TILE_JITTER[0])
            at_lon = lon + rng.uniform(-TILE_JITTER[1], TILE_JITTER[1])
            there = tile.place(at_lat, at_lon)
            row = {
                "urn": urn,
                "ukprn": ukprn,
                "name": f"Synthetic {kind.replace('_', ' ')} {urn or ukprn}",
                "kind": kind,
                "la_code": str(800 + home % 150),
                "district": f"Synthetic District {home % 300 + 300 * tile.index}",
                "status": "closed" if closed else "open",
                "closed": "2024-08-31" if closed else None,
                "latitude": round(there[0] if placed else at_lat, 5),
                "longitude": round(there[1] if placed else at_lon, 5),
            }
            if tile.index:
                row["beyond_lat"] = None if placed else round(there[0], 5)
                row["beyond_lon"] = None if placed else round(there[1], 5)
            register.append(row)
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
                        "partnership_name": f"Synthetic partnership {offset + member_home}",
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


def write_england(folder: Path, seed: int = 2009, census_years: int = 10, scale: int = 1) -> list[tuple[str, Path]]:
    """England-sized files (``scale`` times England) in the real layouts, in load order, as
    (kind, path): the register as a cp1252 GIAS download plus a UKPRN list of WBL providers; ten
    years of census, the older half long and the newer half wide; rosters, accreditation and
    previous amounts. Tiles of a scaled map that lie outside Great Britain are also listed in
    BEYOND_GREAT_BRITAIN in the folder (not a file to load: see ``england``)."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = england(seed, census_years=census_years, scale=scale)
    if "beyond_great_britain" in frames and frames["beyond_great_britain"].height:
        frames["beyond_great_britain"].write_csv(folder / BEYOND_GREAT_BRITAIN)
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
    parser.add_argument("--scale", type=int, default=1, help="england: N times England's schools, partnerships and area")
    parser.add_argument("--out", type=Path, required=True, help="a file (register) or a folder (england)")
    args = parser.parse_args()
    if args.what == "england":
        if args.scale < 1:
            parser.error("--scale must be 1 or more")
        for kind, path in write_england(args.out, args.seed, scale=args.scale):
            print(f"wrote synthetic {kind} to {path}")
        beyond = args.out / BEYOND_GREAT_BRITAIN
        if args.scale > 1 and beyond.exists():
            print(
                f"wrote the true places of the synthetic tiles outside Great Britain to {beyond}: the register "
                "holds them at England's position, since it refuses places outside Great Britain"
            )
        return
    write_cp1252(gias_register(args.rows, args.seed), args.out)
    print(f"wrote {args.rows} synthetic GIAS rows to {args.out}")


if __name__ == "__main__":
    main()
