"""Real-browser tests: the dashboard served by Streamlit on the default Norfolk data, driven by
Playwright in Debian's chromium (/usr/bin/chromium; never a downloaded browser).

Run alone with: python -m pytest -m e2e. Screenshots go to docs/screenshots/ (PNG, 1280x720)."""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from pypdf import PdfReader

from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, serve
from pipelines import records, settings
from pipelines.build_default import build

pytestmark = pytest.mark.e2e

SHOTS = settings.PROJECT_ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    store = tmp_path_factory.mktemp("e2e") / "store.duckdb"
    build(store, settings.DEFAULT_DATA_DIR)
    records.save_scenario(store, "£500k, accredited only", {"total": "500000"}, "Chair of the Group")
    records.save_scenario(store, "£550k, pending funded", {"total": "550000", "pending": "1"}, "Chair of the Group")
    records.approve(store, {"total": "500000"}, title="2026/27 partnership management capacity",
                    approved_by="officer@council.example", scenario_name="£500k, accredited only")
    with serve(settings.PROJECT_ROOT / "dashboard" / "app.py", store) as served:
        yield served.url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def _proof_line(page: Page):
    return page.get_by_text(re.compile(r"Sum of amounts £[\d,]+\.\d\d (equals|does NOT equal) the pot"))


def test_moving_the_total_redraws_the_figures(server, page, record_property):
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("£500,000.00 equals the pot £500,000.00")
    thumb = page.get_by_role("slider").first
    thumb.focus()
    started = time.perf_counter()
    thumb.press("ArrowRight")
    expect(_proof_line(page)).to_contain_text("£501,000.00 equals the pot £501,000.00")
    elapsed_ms = (time.perf_counter() - started) * 1000
    record_property("slider_to_table_ms", round(elapsed_ms))
    print(f"slider change -> redrawn figures: {elapsed_ms:.0f} ms")
    expect(page).to_have_url(re.compile(r"total=501000"))


def test_typing_an_exact_total_and_downloading_the_csv(server, page):
    page.goto(f"{server}/allocation?total=500000")
    box = page.get_by_label("Exact total (£)")
    box.fill("123456.00")
    box.press("Enter")
    expect(_proof_line(page)).to_contain_text("£123,456.00 equals the pot")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = download.value
    assert saved.suggested_filename == "allocation_total-123456_census-2018-01-18.csv"
    text = Path(saved.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(Decimal(r["Amount (£)"]) for r in rows) == Decimal("123456.00")
    assert len(rows) == 11


def test_a_shared_link_opens_the_same_scenario(server, page):
    page.goto(f"{server}/allocation?total=250000&pending=1&unit=0.01")
    expect(_proof_line(page)).to_contain_text("£250,000.00 equals the pot £250,000.00 — 11 funded")
    expect(page.get_by_label("Exact total (£)")).to_have_value("250000.00")


@pytest.mark.parametrize(
    ("path", "name", "marker"),
    [
        ("", "overview", "14-19 partnerships: coverage and funding"),
        ("allocation?total=500000", "allocation", "Sum of amounts"),
        ("gaps", "gaps", "What each code means"),
        ("partnerships?p=LOC1", "partnership", "West (Locality 1)"),
        ("data", "data", "Load log"),
    ],
)
def test_screenshot_each_page(server, page, path, name, marker):
    page.goto(f"{server}/{path}")
    expect(page.get_by_text(marker).first).to_be_visible()
    page.wait_for_timeout(1500)  # let charts finish drawing
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{name}.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
    charts = page.locator("[data-testid='stVegaLiteChart']")
    if charts.count():
        chart = charts.first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        chart.screenshot(path=str(SHOTS / f"{name}_chart.png"))
    assert not page.get_by_text("Traceback").count()


def test_comparison_of_two_scenarios(server, page):
    page.set_viewport_size({"width": 1280, "height": 1400})  # the chart and the table in one picture
    page.goto(f"{server}/scenarios?compare=1,2")
    expect(page.get_by_text("Compare side by side")).to_be_visible()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    page.wait_for_timeout(1500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scenarios_compare.png"))
    assert not page.get_by_text("Traceback").count()


def test_a_decision_prints_on_one_a4_page(server, page):
    page.goto(f"{server}/decisions?d=1")
    expect(page.get_by_text("Decision 1: 2026/27 partnership management capacity")).to_be_visible()
    expect(page.get_by_text("equals the approved pot")).to_be_visible()
    page.wait_for_timeout(1000)
    page.emulate_media(media="print")
    pdf = settings.PROJECT_ROOT / "docs" / "decision_print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, as printed
    page.screenshot(path=str(SHOTS / "decision_print.png"))
    reader = PdfReader(str(pdf))
    text = " ".join(unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages)).split())  # ligatures, line breaks
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages"
    for words in ("Decision 1: 2026/27 partnership management capacity", "Total £500,000.00", "Data version", "Total pot: £500,000.00",
                  "officer@council.example", "LOC9-10 Yarmouth and Gorleston", "£74,775.00"):
        assert words in text, words
