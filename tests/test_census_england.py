"""A census cut from the DfE's England file for one authority loads as it is, every year group
from Reception to Year 14 and the FSM figures landing where the file has them.

The expected figures are read from the file with the csv module, not by the loader's code."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import REAL

from pipelines.base import config
from pipelines.datasets import england
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, check_file, load

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the project")
ENGLAND_CENSUS = REAL / "england" / "census_2023_year_groups.csv"
YEARS = {"year_r": 0, **{f"year_{n}": n for n in range(1, 15)}}
CENSUS_DATE = dt.date(2023, 1, 19)


@pytest.fixture(scope="module")
def default_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("default") / "store.duckdb"
    build(path, config.DEFAULT_DATA_DIR)
    return path


@pytest.fixture
def default_store(default_template, tmp_path):
    """A private copy of a store built from the default (Norfolk) data."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(default_template, path)
    return path


def _expected(rows: list[dict[str, str]]) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """(urn, year) -> headcount and urn -> FSM-eligible pupils, for every cell the file fills."""
    years = {(int(r["urn"]), year): int(r[column]) for r in rows for column, year in YEARS.items() if r[column] != ""}
    fsm = {int(r["urn"]): int(r["fsm_eligible"]) for r in rows if r["fsm_eligible"] != ""}
    return years, fsm


def _stored(store) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        years = con.execute("SELECT urn, nc_year, headcount FROM census_rolls WHERE census_date = ?", [CENSUS_DATE]).fetchall()
        fsm = con.execute("SELECT urn, fsm_eligible FROM census_fsm WHERE census_date = ?", [CENSUS_DATE]).fetchall()
    finally:
        con.close()
    return {(urn, year): headcount for urn, year, headcount in years}, dict(fsm)


@needs_real
def test_norfolk_cut_from_the_england_census_loads_through_the_command_line(default_store, tmp_path):
    with open(ENGLAND_CENSUS, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        norfolk = [row for row in reader if row["la_code_2025"] == "926"]
    cut = tmp_path / "norfolk_census_2023.csv"
    with open(cut, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(norfolk)
    years, fsm = _expected(norfolk)
    without_years = [row for row in norfolk if all(row[column] == "" for column in YEARS)]
    assert norfolk and without_years and fsm  # the cut has independent schools (no figures) as well as the rest
    # Each row without year figures is named in a warning, and the file passes.
    report = check_file(Upload.from_path("census", cut), default_store).report
    assert report.ok and report.layout == "wide"
    assert sorted(p.row for p in report.warnings if p.check == "no_figures") == [
        index + 2 for index, row in enumerate(norfolk) if row in without_years
    ]

    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "census", str(cut), "--db", str(default_store)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"loaded {len(years) + len(fsm)} rows" in done.stdout

    stored_years, stored_fsm = _stored(default_store)
    assert stored_years == years and stored_fsm == fsm
    year10 = {urn: n for (urn, year), n in stored_years.items() if year == 10}
    reception = {urn: n for (urn, year), n in stored_years.items() if year == 0}
    assert year10 == {int(r["urn"]): int(r["year_10"]) for r in norfolk if r["year_10"] != ""}
    assert reception == {int(r["urn"]): int(r["year_r"]) for r in norfolk if r["year_r"] != ""}
    assert sum(year10.values()) == sum(int(r["year_10"]) for r in norfolk if r["year_10"] != "")


def test_a_census_cut_from_the_england_pack_loads_hospital_schools_fsm_without_years(default_store, tmp_path):
    """Camden (202) has hospital schools, whose FSM figure the DfE gives without year groups."""
    cut = tmp_path / "camden_census_2023.csv"
    england.census("202").write_csv(cut)
    with open(cut, newline="", encoding="utf-8") as handle:
        camden = list(csv.DictReader(handle))
    years, fsm = _expected(camden)
    hospital = {int(r["urn"]) for r in camden if r["year_10"] == "" and r["fsm_eligible"] != ""}
    assert hospital  # the case this test is for

    result = load(Upload.from_path("census", cut), default_store)
    assert result.rows == len(years) + len(fsm)
    stored_years, stored_fsm = _stored(default_store)
    assert stored_years == years and stored_fsm == fsm
    assert hospital <= set(stored_fsm) and not hospital & {urn for urn, _ in stored_years}
