"""Generate SYNTHETIC files in the real layouts, for benchmarks. Seeded, so every run makes
the same files. Nothing here describes a real institution: names are "Synthetic ... NNNNN"
and URNs start at 400000.

    python benchmarks/generate.py register --rows 50000 --out /tmp/gias_50k.csv
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

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
        records.append({
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
        })
    return pl.DataFrame(records)


def write_cp1252(frame: pl.DataFrame, path: Path) -> None:
    path.write_bytes(frame.write_csv().encode("cp1252"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["register"])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write_cp1252(gias_register(args.rows, args.seed), args.out)
    print(f"wrote {args.rows} synthetic GIAS rows to {args.out}")


if __name__ == "__main__":
    main()
