"""What the browser tests do to every page, signed in or not: go through the pages by the sidebar
as a person does, run axe-core on each, and read the cookies the Cookies page names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS
from dashboard import about

# Every page, by its name in the sidebar.
PAGES = (
    "Overview",
    "Allocation",
    "Coverage gaps",
    "Partnerships",
    "Plan",
    "Scenarios",
    "Decisions",
    "Data",
    "Accessibility",
    "Support",
    "Cookies",
)
WAIT_MS = 60_000  # a loaded 2-core machine can take seconds for a first draw


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, one per test module, every expectation given a loaded machine's time."""
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# WCAG 2.2 A and AA, and axe's best practices (headings in order among them).
WCAG_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def each_page(page: Page, server: str) -> Iterator[str]:
    """Opens the Overview, then every page by a click on its sidebar link, as a person goes."""
    page.goto(server)
    for name in PAGES:
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")
        page.wait_for_selector("[data-testid=stStatusWidget]", state="detached")
        yield name


def axe_script() -> str:
    """axe-core as the axe-playwright-python wheel bundles it: nothing is fetched at run time."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page, name: str, script: str) -> list[str]:
    """axe's WCAG 2.2 A and AA rules and best practices on the page as drawn, each violation as
    "page: rule (impact): element, what to fix"."""
    page.wait_for_timeout(1500)  # charts and the map draw after the script ends
    page.add_script_tag(content=script)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_A_AND_AA)
    assert result["passes"], f"axe checked nothing on {name}"
    return [
        f"{name}: {violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def named_on_the_cookies_page(page: Page, server: str) -> tuple[dict[str, set[str]], list[str]]:
    """What the Cookies page says, read from the page as drawn: the cookies' names by when the
    page says each is set, and the names of what it keeps in the browser's storage."""
    page.goto(f"{server}/cookies")
    tables = page.get_by_test_id("stMain").locator("table")
    expect(tables).to_have_count(2)
    cookies: dict[str, set[str]] = {}
    for row in tables.nth(0).locator("tbody tr").all():
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        cookies.setdefault(cells[2], set()).add(cells[0])
    storage = [cell.strip() for cell in tables.nth(1).locator("tbody tr td:first-child").all_inner_texts()]
    assert set(cookies) <= {about.EVERY_VISIT, about.SIGNING_IN, about.SIGNED_IN}, cookies
    return cookies, storage


def cookie_names(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def stored_keys(page: Page) -> tuple[list[str], list[str]]:
    """The keys of the page's local storage and session storage."""
    return page.evaluate("() => [Object.keys(localStorage), Object.keys(sessionStorage)]")


def unnamed_storage(keys: list[str], named: list[str]) -> list[str]:
    """The keys no name on the Cookies page stands for (a name's <varying part> matches anything)."""
    patterns = [about.Stored(name, "", "", "").pattern() for name in named]
    return [key for key in keys if not any(pattern.fullmatch(key) for pattern in patterns)]


def unused_names(keys: list[str], named: list[str]) -> list[str]:
    """The names on the Cookies page that no key in the browser is."""
    return [name for name in named if not any(about.Stored(name, "", "", "").pattern().fullmatch(key) for key in keys)]
