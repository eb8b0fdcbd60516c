"""Every dashboard page, run headless with AppTest on the small store: widgets exist, a
change of the pot changes the figures and the URL, downloads carry the right bytes."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from pipelines.base import config
from pipelines.ingest.load import Upload, load

APP = str(config.PROJECT_ROOT / "dashboard" / "app.py")
AS_OF = "2025-09-01"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """What each download button would hand the browser, by file name."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        # Files made on click: make them now, as a click would.
        data = data_callable()
        captured[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    original_deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return captured


OFFICER = "officer@council.example"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only",
    "client_id": "x",
    "client_secret": "y",
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}


def open_page(store, monkeypatch, page: str | None = None, user: dict | None = None, auth: bool = False, **query) -> AppTest:
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(APP, default_timeout=60)
    if auth:
        app.secrets["auth"] = AUTH
        app.secrets["roles"] = {"data_officers": [OFFICER]}
    if user is not None:
        app.user = user
    for key, value in {"asof": AS_OF, **query}.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_overview_headlines(store, monkeypatch):
    app = open_page(store, monkeypatch, total="10000")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Partnerships"] == "2"
    assert metrics["Accredited"] == "1"
    assert metrics["Schools covered"] == "4 of 5"
    assert metrics["Pot"] == "£10,000"
    assert metrics["Year 10, funded"] == "120"
    uncovered = next(d.value for d in app.dataframe if "School" in d.value.columns)
    assert list(uncovered["School"]) == ["Zeta High School"]


def test_first_run_builds_the_default_store(tmp_path, monkeypatch):
    target = tmp_path / "first.duckdb"
    monkeypatch.setattr(config, "DEFAULT_DB", target)
    app = AppTest.from_file(APP, default_timeout=90).run()
    assert not app.exception
    assert target.exists()
    # 7 groupings of 2008, 4 Diploma consortia of 2008/09, 4 placed by district
    assert {m.label: m.value for m in app.metric}["Partnerships"] == "15"


def test_allocation_slider_moves_the_figures_the_input_and_the_url(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    assert "£10,000.00 equals the pot" in app.success[0].value
    table = app.dataframe[0].value
    assert list(table["Amount (£)"]) == [3750.0, 6250.0, 10000.0]  # numbers, so they sort as numbers; then the total
    app.select_slider(key="sc_slider").set_value(20000).run()
    assert app.text_input(key="sc_total_text").value == "£20,000.00"
    assert list(app.dataframe[0].value["Amount (£)"]) == [7500.0, 12500.0, 20000.0]
    assert app.query_params["total"] == "20000"


def test_exact_total_input_keeps_the_slider_in_step(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    app.text_input(key="sc_total_text").input("£12,345").run()
    assert app.select_slider(key="sc_slider").value == 12000  # the nearest step below
    assert app.text_input(key="sc_total_text").value == "£12,345.00"
    assert "£12,345.00 equals the pot" in app.success[0].value
    app.text_input(key="sc_total_text").input("twelve").run()  # refused: the last good pot stays
    assert "£12,345.00 equals the pot" in app.success[0].value
    assert any("The total pot" in w.value for w in app.warning)


def test_a_shared_link_reopens_the_same_scenario(store, monkeypatch):
    link = {"total": "9000", "lump": "1000", "unit": "0.01", "pending": "1", "rate": "250", "weeks": "38"}
    app = open_page(store, monkeypatch, "allocation", **link)
    assert app.text_input(key="sc_total_text").value == "£9,000.00"
    assert app.radio(key="sc_unit").value == "£0.01"
    assert app.toggle(key="sc_pending").value is True
    assert {k: app.query_params[k] for k in link} == link
    # £1,000 each, then £7,000 split 120:200
    assert list(app.dataframe[0].value["Amount (£)"]) == [3625.0, 5375.0, 9000.0]


def test_a_mangled_link_opens_on_defaults_and_says_so_as_plain_text(store, monkeypatch):
    # The link's own page shows what was wrong with it (AppTest opens a link on the first page).
    app = open_page(store, monkeypatch, total="[pay](http://evil.example)", weeks="99")
    shown = [w.value for w in app.warning]
    assert any("total" in t and "\\[pay\\]\\(" in t and "](" not in t for t in shown), shown
    assert any("weeks per year '99'" in t for t in shown), shown
    assert app.text_input(key="sc_total_text").value == f"£{config.DEFAULT_TOTAL:,}.00"


@pytest.mark.parametrize(
    "link", [{"total": "-5"}, {"lump": "-5"}, {"asof": "2025-13-45"}, {"census": "yesterday"}, {"rate": "0"}, {"unit": "7"}]
)
def test_bad_link_values_fall_back_to_defaults_with_a_message(store, monkeypatch, link):
    first = open_page(store, monkeypatch, **link)
    assert any("not usable" in w.value or "not a date" in w.value for w in first.warning), [w.value for w in first.warning]
    app = open_page(store, monkeypatch, "allocation", **link)
    assert not app.exception
    assert app.success and "equals the pot" in app.success[0].value


def test_treat_as_accredited_funds_a_pending_partnership(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000")
    assert list(app.dataframe[0].value["Funded"].iloc[:-1]) == ["yes", "no"]  # the last row is the total
    app.multiselect(key="sc_treat").set_value(["P2"]).run()
    assert list(app.dataframe[0].value["Funded"].iloc[:-1]) == ["yes", "yes"]
    assert app.query_params["treat"] == "P2"


def test_allocation_downloads_carry_the_export_bytes(store, monkeypatch, downloads):
    open_page(store, monkeypatch, "allocation", total="10000", pending="1")
    name = "allocation_total-10000_census-2025-01-16.csv"
    rows = list(csv.DictReader(io.StringIO(downloads[name].decode("utf-8-sig"))))
    assert [r["Amount (£)"] for r in rows] == ["3750.00", "6250.00"]
    assert sum(Decimal(r["Amount (£)"]) for r in rows) == Decimal("10000.00")
    assert downloads["allocation_total-10000_census-2025-01-16.xlsx"].startswith(b"PK")


def test_a_refused_allocation_is_explained_not_crashed(store, monkeypatch):
    app = open_page(store, monkeypatch, "allocation", total="10000", lump="6000", pending="1")
    assert "less than the lump sums" in app.error[0].value


def test_gaps_page_filters_and_downloads(store, monkeypatch, downloads, tmp_path):
    named = tmp_path / "dataset.csv"
    named.write_text("reference_date,name\n2025-09-01,Small test county 14-19 partnerships\n")
    load(Upload.from_path("dataset", named), store)
    app = open_page(store, monkeypatch, "gaps")
    assert "4 gap rows shown" in app.markdown[0].value
    app.multiselect(key="gaps_severity").set_value(["error"]).run()
    assert "1 gap row shown" in app.markdown[0].value
    assert list(app.dataframe[0].value["Gap code"]) == ["school_uncovered"]
    assert list(app.dataframe[0].value["Gap"]) == ["School in no partnership"]  # words, not the code
    csv_bytes = next(v for k, v in downloads.items() if k.startswith("coverage_gaps"))
    assert b"school_uncovered" in csv_bytes and b"not_accredited" not in csv_bytes
    [row] = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    assert row["Dataset"] == "Small test county 14-19 partnerships"  # the store's, as in the allocation CSV
    assert any("`travel_outlier`" in m.value for m in app.markdown)


def test_partnership_page_shows_members_year10_and_checks(store, monkeypatch):
    app = open_page(store, monkeypatch, "partnerships", total="10000", p="P1")
    assert app.title[0].value == "North Partnership"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Accreditation"] == "accredited"
    assert metrics["Year 10 counted"] == "120"
    assert metrics["Allocation at current settings"] == "£10,000"
    frames = [d.value for d in app.dataframe]
    attribution = next(f for f in frames if "Member" in f.columns)
    assert set(attribution["Member"]) == {"Alpha High School", "Gamma Special School", "Northtown College"}
    assert list(next(f for f in frames if "Result" in f.columns)["Result"]) == ["met", "met"]


def test_data_page_lists_loads_and_keeps_uploads_off(store, monkeypatch):
    app = open_page(store, monkeypatch, "data")
    log = app.dataframe[2].value
    assert len(log) == 6
    assert any("Uploads are switched off" in i.value for i in app.info)
    assert not app.get("file_uploader")


@pytest.mark.parametrize(
    ("auth", "user", "says"),
    [
        (False, {"is_logged_in": True, "email": OFFICER}, "no sign-in is configured"),
        (True, {"is_logged_in": False}, "Sign in to load data"),
        (True, {"is_logged_in": True, "email": "viewer@council.example"}, "not a data officer"),
    ],
)
def test_only_a_signed_in_data_officer_may_upload(store, monkeypatch, auth, user, says):
    monkeypatch.setattr(config, "UPLOADS_ENABLED", True)
    app = open_page(store, monkeypatch, "data", user=user, auth=auth)
    assert any(says in i.value for i in app.info)
    assert not app.get("file_uploader")


def test_names_from_files_are_shown_as_text_not_markup(store, monkeypatch, tmp_path):
    from dashboard.formatting import plain
    from pipelines.ingest.load import Upload, load

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "partnership_code,partnership_name,member_id,role,joined\n"
        'P3,"[Click me](http://evil.example) <b>$x$</b>",100006,full,2012-09-01\n'
    )
    load(Upload.from_path("roster", roster), store)
    app = open_page(store, monkeypatch, "partnerships", p="P3")
    assert app.title[0].value == plain("[Click me](http://evil.example) <b>$x$</b>")
    assert "\\[Click me\\]\\(http\\://evil\\.example\\)" in app.title[0].value


def test_data_page_upload_shows_the_report_and_loads_only_a_passing_file(store, monkeypatch):
    monkeypatch.setattr(config, "UPLOADS_ENABLED", True)
    app = open_page(store, monkeypatch, "data", user={"is_logged_in": True, "email": OFFICER}, auth=True)
    app.selectbox[0].set_value("census").run()
    app.get("file_uploader")[0].set_value(
        ("bad.csv", b"urn,census_date,nc_year,headcount\n100001,2026-01-15,10,x\n", "text/csv")
    ).run()
    report = app.dataframe[-1].value
    assert list(report["column"]) == ["headcount"] and "suppressed" in report["expected"][0]
    checks = dict(zip(app.dataframe[-2].value["check"], app.dataframe[-2].value["outcome"], strict=True))
    assert checks["no suppressed figures"] == "fail" and checks["required columns present"] == "pass"
    assert not [b for b in app.button if b.label == "Load it"]
    app.get("file_uploader")[0].set_value(
        ("good.csv", b"urn,census_date,nc_year,headcount\n100001,2026-01-15,10,7\n", "text/csv")
    ).run()
    load_button = [b for b in app.button if b.label == "Load it"][0]
    load_button.click().run()
    assert "Loaded 1 rows." in app.success[0].value


def test_missing_census_for_a_funded_school_is_flagged_above_the_figures(store, monkeypatch, tmp_path):
    from pipelines.ingest.load import Upload, load

    register = tmp_path / "register.csv"
    register.write_text("urn,name,kind,status,latitude,longitude\n200001,Kappa High,high_school,open,52.71,1.21\n")
    load(Upload.from_path("register", register), store)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "partnership_code,partnership_name,member_id,role,joined\n"
        "P1,North Partnership,100001,full,2009-09-01\nP1,North Partnership,100003,full,2009-09-01\n"
        "P1,North Partnership,10000001,full,2009-09-01\nP1,North Partnership,200001,full,2009-09-01\n"
    )
    load(Upload.from_path("roster", roster), store)
    refused = open_page(store, monkeypatch, "allocation", total="10000")
    assert "Kappa High" in refused.error[0].value and not refused.success  # no figures finance could pay from
    app = open_page(store, monkeypatch, "allocation", total="10000", missing="1")
    warning = next(w.value for w in app.warning if "data problem" in w.value)
    assert "1 data problem(s) change these figures" in warning and "Kappa High has no Year 10 figure" in warning
    assert app.get("page_link")[0].proto.label == "See these gaps"


def test_cached_results_are_shared_yet_each_caller_edits_only_its_own(store, monkeypatch):
    """One copy per process serves every session; a page changing its frame in place must not
    change what the next session is given."""
    from dashboard import queries

    monkeypatch.setattr(config, "DEFAULT_DB", store)
    chosen = queries.AllocationSettings(total=Decimal("10000"))
    first = queries.allocation(chosen)
    amounts = first["amount"].to_list()
    first[0, "amount"] = Decimal("-1.00")
    first.drop_in_place("partnership_name")
    again = queries.allocation(chosen)
    assert again["amount"].to_list() == amounts and "partnership_name" in again.columns
    counts = queries.table_counts()
    counts.columns = [f"renamed {c}" for c in counts.columns]
    assert not queries.table_counts().columns[0].startswith("renamed")
