"""Project configuration in one place (paths, limits, defaults), so the command line, the tests
and the dashboard agree. A scenario's own settings are AllocationSettings, and only those."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.base.resources import installed_folder, user_data_folder

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # pipelines/base/config.py
# The repository's sql/ and data/ folders travel in the wheel as the packages partnership_sql and
# partnership_data (pyproject.toml maps them at build time); in a checkout they are the folders.
SQL_DIR = installed_folder("partnership_sql", PROJECT_ROOT / "sql")
DATA_DIR = installed_folder("partnership_data", PROJECT_ROOT / "data")
DEFAULT_DATA_DIR = DATA_DIR / "default"
REFERENCE_DIR = DATA_DIR / "reference"
TEMPLATES_DIR = DATA_DIR / "templates"
# Every English authority's schools, census, codes and outlines (pipelines/datasets/england.py).
ENGLAND_DIR = DATA_DIR / "england"
# Run from a checkout (or an editable install), the tool keeps its store beside the data, as it
# always has; installed from the wheel, its package folder is no place for a store.
FROM_CHECKOUT = DATA_DIR == PROJECT_ROOT / "data"

# The store the dashboard reads; PARTNERSHIP_DB overrides it (tests, servers, other authorities).
DEFAULT_DB = Path(
    os.environ.get("PARTNERSHIP_DB")
    or ((DATA_DIR if FROM_CHECKOUT else user_data_folder("partnership-funding")) / "store.duckdb")
)

# Layers applied in this order; files inside a layer in name order.
SQL_LAYERS = ("schema", "staging", "marts", "macros")

# Great Britain, generously: anything outside is a typo or swapped coordinates.
GB_EASTING = (0, 700_000)
GB_NORTHING = (0, 1_300_000)
GB_LATITUDE = (49.8, 60.95)
GB_LONGITUDE = (-8.7, 1.9)

# How long a load or approval waits for another to finish before it gives up with a message
# (seconds); loads take seconds, so a wait this long means a writer is stuck or very large.
WRITER_LOCK_TIMEOUT_S = 120

# Largest file a loader will read (in MB of 1,000,000 bytes): a larger one is refused from its
# size, before a byte of it is read; every input file goes through pipelines/base/input_file.py.
MAX_FILE_MB = 200
# A backup's .sha256 file is one line; anything longer is not one, and is not read whole.
MAX_CHECKSUM_FILE_BYTES = 4096
# Largest uncompressed size we accept inside an XLSX (a zip): guards against zip bombs.
MAX_XLSX_UNCOMPRESSED_MB = 500
# How many problems per column a report prints before summarising the rest.
REPORT_LIMIT_PER_COLUMN = 50

# Allocation defaults (the dashboard's starting point; every one can be changed per run).
DEFAULT_TOTAL = 500_000  # pounds
DEFAULT_DAY_RATE = 300  # pounds per day of partnership-manager time
DEFAULT_WEEKS_PER_YEAR = 39  # school weeks in a year
DEFAULT_TRAVEL_KM = 25  # a school further than this from its partnership's centre is flagged
SUGGESTED_ALTERNATIVES = 3  # how many ways to close one gap the suggestions offer
ROUNDING_UNITS = ("1", "0.01")
# The county's top-slice where it stands as a line beside the partnerships (files, tables, charts).
TOP_SLICE_CODE, TOP_SLICE_NAME = "TOP-SLICE", "County strategic support"
# A census file whose newest date is after the store's latest census but has Year 10 figures for
# fewer than this share of that census's schools is loaded with a warning: it is probably partial.
PARTIAL_CENSUS_SHARE = 0.5

# Uploads through the dashboard are off unless switched on (the command line is the way in).
UPLOADS_ENABLED = os.environ.get("PARTNERSHIP_UPLOADS", "") == "1"
UPLOAD_TYPES = ("csv", "xlsx")
MAX_UPLOAD_MB = 50  # also server.maxUploadSize in .streamlit/config.toml
