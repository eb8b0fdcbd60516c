"""What the figures are: the status rule read from each input's own notes, on the default data,
the small test data, a council's own unlabelled file and notes worded in other ways."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.base import config
from pipelines.datasets.build_default import build
from pipelines.ingest.load import Upload, load
from pipelines.store import db, provenance


def _by_input(status):
    return {r["input"]: (r["status"], r["rows"], r["total_rows"]) for r in status.iter_rows(named=True)}


@pytest.fixture(scope="module")
def default_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("default") / "store.duckdb"
    build(path, config.DEFAULT_DATA_DIR)
    return path


def test_the_default_data_says_what_is_proxy_inferred_and_synthetic(default_store):
    con = db.connect_read_only(default_store)
    status = provenance.data_status(con)
    con.close()
    assert _by_input(status) == {
        "register": ("inferred", 3, 96),  # two UKPRNs matched by postcode, East Coast College for Great Yarmouth
        "Year 10 figures": ("proxy", 64, 64),
        "memberships": ("inferred", 71, 89),  # the other 18 are consortium memberships the sources name
        "accreditation": ("synthetic", 15, 15),
        "health checks": ("synthetic", 90, 90),
        "previous 2008/9 amounts": ("synthetic", 7, 7),
    }
    assert status["stand_in"].to_list() == [True, True, True, True, True, True]
    line = provenance.data_status_line(status)
    assert line.startswith(
        "register: inferred 3 of 96 (real 93); Year 10 figures: proxy (64 rows); memberships: inferred 71 of 89 (real 18)"
    )
    assert provenance.last_loaded(status) is not None
    assert "Year 10 figures (proxy)" in provenance.stand_in_warning(status)


def test_the_small_data_is_unlabelled_where_it_has_no_notes(con):
    status = provenance.data_status(con)
    assert _by_input(status) == {
        "register": ("unlabelled", 9, 9),
        "Year 10 figures": ("unlabelled", 5, 5),
        "memberships": ("unlabelled", 7, 7),
        "accreditation": ("real", 2, 2),
        "health checks": ("unlabelled", 3, 4),
        "previous 2008/9 amounts": ("synthetic", 2, 2),  # "test figure"
    }
    assert "health checks: unlabelled 3 of 4 (real 1)" in provenance.data_status_line(status)


def test_a_council_file_without_notes_is_unlabelled_beside_the_proxy_figures(default_store, tmp_path):
    store = tmp_path / "store.duckdb"
    store.write_bytes(default_store.read_bytes())
    census = tmp_path / "census_2026.csv"
    census.write_text("urn,census_date,nc_year,headcount,source\n121154,2026-01-15,10,130,\n121164,2026-01-15,10,200,\n")
    load(Upload.from_path("census", census), store)
    con = db.connect_read_only(store)
    status = provenance.data_status(con)
    con.close()
    assert _by_input(status)["Year 10 figures"] == ("proxy", 64, 66)
    assert "Year 10 figures: proxy 64 of 66 (unlabelled 2)" in provenance.data_status_line(status)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (None, "unlabelled"),
        ("   ", "unlabelled"),
        ("Finance ledger 2008/09, cost centre 4410", "real"),
        ("real: checked against the ledger, not synthetic", "real"),  # a leading label wins
        ("Approximate: rounded from the finance report", "proxy"),
        ("estimated from the 2007 figure", "proxy"),
        ("amount imputed from neighbouring partnerships", "inferred"),
        ("URN matched by name (inferred)", "inferred"),
        ("Synthetic, for demonstration", "synthetic"),
        ("proxy figure, partly synthetic", "proxy"),
        ("a proxy and synthetic mix", "synthetic"),  # no label: the most cautious word
        ("reproxying is not a word", "real"),  # whole words only
    ],
)
def test_the_rule_reads_notes_as_a_council_would_write_them(note, expected):
    con = duckdb.connect()
    db.apply_sql(con)
    con.execute("INSERT INTO previous_allocations VALUES ('X1', 1.00, ?)", [note])
    status = _by_input(provenance.data_status(con))
    con.close()
    assert status["previous 2008/9 amounts"][0] == expected
    assert status["register"] == (None, 0, 0)


def test_an_input_with_nothing_loaded_says_so():
    con = duckdb.connect()
    db.apply_sql(con)
    status = provenance.data_status(con)
    con.close()
    assert provenance.data_status_line(status).startswith("register: none loaded; Year 10 figures: none loaded")
    assert provenance.stand_in_warning(status) is None
    assert provenance.last_loaded_text(status) == "never"


def test_the_data_page_shows_the_status_table_and_the_load_time(store, monkeypatch):
    """The page on its own, so the test rests on nothing but the page and the store."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(config, "DEFAULT_DB", store)
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app_pages" / "data.py"), default_timeout=60).run()
        assert not app.exception, [e.message for e in app.exception]
        table = next(d.value for d in app.dataframe if "Every status" in d.value.columns)
        assert table["Input"].tolist()[:2] == ["register", "Year 10 figures"]
        assert table["Status"].tolist()[-1] == "synthetic"
        assert any(
            re.search(r"Data last loaded \d{1,2} [A-Z][a-z]+ 20\d\d, \d{1,2}:\d\d[ap]m (GMT|BST)", c.value) for c in app.caption
        )
        assert any("previous 2008/9 amounts" in w.value and "synthetic" in w.value for w in app.warning)
        assert not any("Where the default figures come from" in s.value for s in app.subheader)
    finally:
        st.cache_resource.clear()


def test_the_allocate_command_prints_the_data_status(store, capsys):
    from pipelines.cli.main import main

    assert main(["allocate", "--total", "10000", "--as-of", "2025-09-01", "--include-pending", "--db", str(store)]) == 0
    assert "Data status: register: unlabelled (9 rows);" in capsys.readouterr().out
