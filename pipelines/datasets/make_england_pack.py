"""Make the England data pack (data/england/) from the shared England files.

Run: python -m pipelines.datasets.make_england_pack --real ../shared/data/real

The pack lets the tool serve any English authority without a council first finding, cleaning and
loading a register, a census and boundaries by hand. It holds, for all 153 authorities, what
../shared/data/real/england/ holds (that folder's README gives the provenance; the data are under
the Open Government Licence v3.0, the boundaries contain OS data © Crown copyright and database
right 2024), every row and every column, in two forms chosen for the wheel and for a start:

- the four tables as Parquet (zstd): a seventh of the CSVs' size, and one authority is read from
  them in a few milliseconds where DuckDB or polars takes about 100 ms to parse the CSV. Each
  column gets an explicit type here rather than whatever a reader would infer: authority codes
  are 3-digit text, as the store keeps them; URNs and counts are 32-bit integers, as the store
  keeps them; dates are dates. Rows are sorted by authority, then URN, and written in row groups
  of 8,192 with min/max statistics, so a read of one authority skips the groups without it;
- the district and authority outlines as GeoJSON, which the map reads: made valid, wound
  clockwise for Vega-Lite (the shared files already are, but the map must not depend on it), each
  feature carrying its own extent, and the licence written into the collection, all done once
  here so a start never imports shapely.

The output is the same bytes every time from the same files with the same polars (pinned in
pyproject.toml): the Parquet footer names the polars version that wrote it, so a new polars
means running this again and committing the result.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipelines.base import config
from pipelines.datasets import districts as map_districts

TEXT, COUNT, FLOAT, DATE = pl.String, pl.Int32, pl.Float64, pl.Date

# The shared CSV files, each with its columns in order and their types, and the sort order of its
# rows (the authority first, so a read of one authority skips row groups). Every column is kept.
YEARS = ("year_r", *(f"year_{n}" for n in range(1, 15)))
TABLES: dict[str, tuple[dict[str, type[pl.DataType]], tuple[str, ...]]] = {
    "schools_gias_2025": (
        {
            "urn": COUNT,
            "la_code": TEXT,
            "la_name": TEXT,
            "name": TEXT,
            "establishment_type": TEXT,
            "establishment_type_group": TEXT,
            "phase": TEXT,
            "easting": COUNT,
            "northing": COUNT,
            "latitude": FLOAT,
            "longitude": FLOAT,
            "lad24_code": TEXT,
            "lad24_name": TEXT,
            "lad24_method": TEXT,
            "number_of_pupils": COUNT,
            "source": TEXT,
        },
        ("la_code", "urn"),
    ),
    "census_2023_year_groups": (
        {
            "urn": COUNT,
            "la_code": TEXT,
            "new_la_code": TEXT,
            "la_code_2025": TEXT,
            "school_name": TEXT,
            "phase_type_grouping": TEXT,
            "census_date": DATE,
            "early_nursery": COUNT,
            **dict.fromkeys(YEARS, COUNT),
            "not_followed": COUNT,
            "fsm_eligible": COUNT,
            "total_headcount": COUNT,
            "source": TEXT,
        },
        # la_code_2025, not the January 2023 la_code: Cumbria's schools under Cumberland and
        # Westmorland and Furness, the authorities that serve them now.
        ("la_code_2025", "urn"),
    ),
    "la_codes": (
        {
            "la_code": TEXT,
            "new_la_code": TEXT,
            "la_name": TEXT,
            "lad24_codes": TEXT,  # the authority's districts, ';'-separated, as in the CSV
            "n_schools": COUNT,
            "n_secondary_special_pru": COUNT,
            "n_matched_census_2023": COUNT,
            "year10_census_2023": COUNT,
            "year10_matched_2025_schools": COUNT,
        },
        ("la_code",),
    ),
    "urn_links_2025": (
        {"urn": COUNT, "link_urn": COUNT, "link_name": TEXT, "link_type": TEXT, "link_date": DATE},
        ("urn", "link_urn"),
    ),
}
# Each table's key: the builder refuses shared files with a repeated one.
KEYS = {
    "schools_gias_2025": ("urn",),
    "census_2023_year_groups": ("urn",),
    "la_codes": ("la_code",),
    "urn_links_2025": ("urn", "link_urn"),
}
MAPS = ("lad24_england", "la_england")
MAP_SOURCE = (
    "ONS Local Authority Districts (May 2024) Boundaries UK BUC, English districts and their upper-tier "
    "authorities (LTLA to UTLA April 2023 lookup), via humaniverse/geographr; OGL v3.0; contains OS data "
    "(c) Crown copyright and database right 2024"
)
ZSTD_LEVEL = 19  # 12% smaller than the default 3; written once, so the slower write costs nothing
ROW_GROUP = 8192  # rows; Kent, the largest authority, has 711 schools


def read_table(path: Path, columns: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    """A shared CSV with its columns typed as ``columns`` says; a column missing, added or out of
    order, or a cell that is not its type, stops the build rather than changing a type."""
    raw = pl.read_csv(path, infer_schema=False)
    if raw.columns != list(columns):
        raise ValueError(f"{path.name}: columns {raw.columns}, expected {list(columns)}")
    return raw.select(
        pl.col(name).str.to_date("%Y-%m-%d") if kind == DATE else pl.col(name).cast(kind, strict=True)
        for name, kind in columns.items()
    )


def build_table(england: Path, name: str) -> pl.DataFrame:
    columns, order = TABLES[name]
    frame = read_table(england / f"{name}.csv", columns)
    if frame.select(KEYS[name]).is_duplicated().any():
        raise ValueError(f"{name}.csv: a key {KEYS[name]} repeats")
    return frame.sort(order)


def map_collection(source: Path) -> dict:
    """The outlines as the map draws them, with the licence they are published under."""
    rewound = map_districts.rewound_for_map(source, feature_extents=True)
    return {"type": "FeatureCollection", "source": MAP_SOURCE, "features": rewound["features"], "bbox": rewound["bbox"]}


def make(real: Path, out: Path) -> dict[str, pl.DataFrame]:
    england = real / "england"
    out.mkdir(parents=True, exist_ok=True)
    frames = {name: build_table(england, name) for name in TABLES}
    for name, frame in frames.items():
        frame.write_parquet(
            out / f"{name}.parquet", compression="zstd", compression_level=ZSTD_LEVEL, statistics=True, row_group_size=ROW_GROUP
        )
    for name in MAPS:
        map_districts.write_map_json(map_collection(england / f"{name}.geojson"), out / f"{name}.geojson")
    return frames


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=config.PROJECT_ROOT.parent / "shared" / "data" / "real")
    parser.add_argument("--out", type=Path, default=config.ENGLAND_DIR)
    args = parser.parse_args(argv)
    frames = make(args.real, args.out)
    for name, frame in frames.items():
        print(f"{name}: {frame.height} rows, {(args.out / f'{name}.parquet').stat().st_size:,} bytes")
    for name in MAPS:
        print(f"{name}: {(args.out / f'{name}.geojson').stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
