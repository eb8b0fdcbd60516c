"""Refresh the screenshots in docs/screenshots/ (and docs/decision_print.pdf) from the dashboard
served on the default Norfolk data in Debian's chromium. Run by hand when the pages change:

    python scripts/screenshots.py

The tests never write into the checkout; this command is the only thing that changes these files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402
from pipelines.base import config  # noqa: E402
from pipelines.datasets.build_default import build  # noqa: E402
from pipelines.outputs import records

DOCS = config.PROJECT_ROOT / "docs"
SHOTS = DOCS / "screenshots"
PAGES = (  # (path, file name, text that says the page has drawn)
    ("?total=500000", "overview", "14-19 partnerships: coverage and funding"),
    ("allocation?total=500000", "allocation", "Sum of amounts"),
    ("gaps", "gaps", "What each gap means"),
    ("partnerships?p=LOC1", "partnership", "West (Locality 1)"),
    ("data", "data", "Load log"),
)


def demo_store(folder: Path) -> Path:
    """The default data with two saved scenarios and one decision, as a meeting would have."""
    store = folder / "store.duckdb"
    build(store, config.DEFAULT_DATA_DIR)
    records.save_scenario(store, "£500k, accredited only", {"total": "500000"}, "Chair of the Group")
    records.save_scenario(store, "£550k, pending funded", {"total": "550000", "pending": "1"}, "Chair of the Group")
    records.approve(
        store,
        {"total": "500000"},
        title="2018/19 partnership management capacity",
        approved_by="officer@council.example",
        scenario_name="£500k, accredited only",
    )
    return store


def _settle(page: Page, marker: str) -> None:
    expect(page.get_by_text(marker).first).to_be_visible()
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning")
    page.wait_for_timeout(1500)  # let the charts finish drawing


def _plan_shots(page: Page, url: str) -> None:
    """The Plan page: its suggestions, then the side-by-side view after the best for every gap."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/plan?total=500000")
    _settle(page, "Apply the best alternative for every gap shown")
    page.screenshot(path=str(SHOTS / "plan_suggestions.png"))
    page.set_viewport_size({"width": 1280, "height": 2100})
    page.get_by_role("button", name="Apply the best alternative for every gap shown").click()
    _settle(page, "Gaps by kind")
    heading = page.get_by_role("heading", name="Loaded rosters and the draft, side by side")
    heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1500)  # the two maps draw after the scroll
    page.screenshot(path=str(SHOTS / "plan_side_by_side.png"))


def main() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=60_000)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        store = demo_store(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serve(config.PROJECT_ROOT / "dashboard" / "app.py", store) as served:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            for path, name, marker in PAGES:
                page.goto(f"{served.url}/{path}")
                _settle(page, marker)
                page.screenshot(path=str(SHOTS / f"{name}.png"))
                charts = page.locator("[data-testid='stVegaLiteChart']")
                if charts.count():
                    charts.first.scroll_into_view_if_needed()
                    page.wait_for_timeout(800)
                    charts.first.screenshot(path=str(SHOTS / f"{name}_chart.png"))
            page.set_viewport_size({"width": 1280, "height": 2100})
            page.goto(f"{served.url}/scenarios?compare=1,2")
            _settle(page, "Compare side by side")
            page.locator("[data-testid='stVegaLiteChart']").first.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(SHOTS / "scenarios_compare.png"))
            _plan_shots(page, served.url)
            page.goto(f"{served.url}/decisions?d=1")
            _settle(page, "equals the approved pot")
            page.emulate_media(media="print")
            page.pdf(path=str(DOCS / "decision_print.pdf"), format="A4", print_background=True)
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, as printed
            page.screenshot(path=str(SHOTS / "decision_print.png"))
        browser.close()
    print(f"refreshed {SHOTS}")


if __name__ == "__main__":
    main()
