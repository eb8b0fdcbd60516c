"""Real-browser tests on stores built by `build --la` for two authorities of opposite shapes: Kent
(the largest county, 12 districts) and Camden (a London borough, one district). A person opens
the Overview, the Allocation (where nothing is accredited yet, so the page offers the
treat-as-accredited what-if and they take it) and the Plan through the sidebar; each page's tab
names the authority's dataset, the maps are drawn and the allocation adds up to the pot. One
server per authority, whose log must hold no page fault at the end.

Run alone with: python -m pytest -m e2e tests/test_e2e_authorities.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import browser_pages
import duckdb
import pytest
from browser_pages import WAIT_MS
from playwright.sync_api import Page, expect

from benchmarks.serve import CHROMIUM, serve
from pipelines.base import config
from pipelines.datasets import build_la
from pipelines.rules.allocate import dataset_info

pytestmark = pytest.mark.e2e
browser = browser_pages.browser  # the one chromium fixture, shared by the browser tests
# The Plan page's suggestion buttons, one per alternative (not the one that applies the best of all).
SUGGESTIONS = "[class*='st-key-plan_apply_']:not(.st-key-plan_apply_best) button:enabled"
MAP_SYMBOLS = "[data-testid=stVegaLiteChart] svg .mark-symbol path"  # Vega's class for the schools' dots


@pytest.fixture(scope="module", params=[("886", "Kent"), ("202", "Camden")], ids=["kent", "camden"])
def authority(request, tmp_path_factory) -> Iterator[tuple[str, str, int, int, str]]:
    """(name, dataset name, partnerships, high and special schools with no Year 10 figure, server
    address): the authority's store, built as `build --la` builds it, served by its own
    dashboard process."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    code, name = request.param
    store = tmp_path_factory.mktemp(f"la{code}") / "store.duckdb"
    made = build_la.build(store, code)
    with duckdb.connect(str(store), read_only=True) as con:
        dataset = str(dataset_info(con)["name"])
        [(partnerships,)] = con.execute("SELECT count(*) FROM partnerships").fetchall()
    with serve(config.PROJECT_ROOT / "dashboard" / "app.py", store) as served:
        yield name, dataset, partnerships, made.no_census, served.url
        # A page can fail and a check still pass on what was left on screen: no page may have faulted.
        assert served.faults() == [], "\n".join(served.faults())


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def _through_the_sidebar(page: Page, name: str) -> None:
    link = page.get_by_role("link", name=name, exact=True)
    link.click()
    expect(link).to_have_attribute("aria-current", "page")
    _settled(page)


def _settled(page: Page) -> None:
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning")


def _map_drawn(page: Page) -> None:
    expect(page.locator(MAP_SYMBOLS).first).to_be_attached()
    assert page.locator(MAP_SYMBOLS).count() > 0


def test_overview_allocation_with_the_what_if_and_plan(authority, page):
    name, dataset, partnerships, no_census, server = authority
    assert dataset.startswith(f"{name} 14-19 partnerships")
    page.goto(server)
    _settled(page)
    expect(page).to_have_title(f"Overview – {dataset}")
    expect(page.get_by_text(f"Data: {dataset}.", exact=False).first).to_be_visible()
    _map_drawn(page)

    _through_the_sidebar(page, "Allocation")
    expect(page).to_have_title(f"Allocation – {dataset}")
    expect(page.get_by_text("No partnership is accredited yet", exact=False)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Treat all \d+ partnerships as accredited \(what-if\)$")).click()
    _settled(page)
    if no_census:  # a member school without a Year 10 figure: refused until the person accepts it
        expect(page.get_by_text(re.compile(r"^No allocation: .*Year 10"))).to_be_visible()
        page.get_by_text("More settings").click()
        page.get_by_text("Allocate even if member schools have no Year 10 figure").click()
        _settled(page)
    proof = page.get_by_text(re.compile(r"Sum of amounts £[\d,]+\.\d\d equals the pot £[\d,]+\.\d\d — \d+ funded"))
    expect(proof).to_be_visible()
    funded = int(re.search(r"— (\d+) funded", proof.inner_text()).group(1))  # type: ignore[union-attr]
    assert funded == partnerships  # the what-if funds every partnership of the starting map

    _through_the_sidebar(page, "Plan")
    expect(page).to_have_title(f"Plan – {dataset}")
    # The maps of the loaded rosters and the draft are drawn once the draft has a change: the
    # person takes the first suggestion (the starting map by district leaves some to make).
    page.locator(SUGGESTIONS).first.click()
    _settled(page)
    expect(page.get_by_text("Loaded rosters and the draft, side by side")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    _map_drawn(page)
