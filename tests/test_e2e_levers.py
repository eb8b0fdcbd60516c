"""Real-browser tests of the sidebar's optional levers on the default Norfolk data, cleared the
way a person clears a box (select its text, Delete, then Enter or Tab): blank means none, in the
address and in the figures; a typed 0 stays 0; and a typed total beyond the slider's usual range
moves the slider with it. The server, browser and page are those of test_e2e_browser (Debian's
chromium, never a downloaded browser); nothing here writes into the checkout.

Run alone with: python -m pytest tests/test_e2e_levers.py"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
import test_e2e_browser
from playwright.sync_api import Page, expect
from test_e2e_browser import WAIT_MS, _proof_line, _settled, _type_total

pytestmark = pytest.mark.e2e
# The same fixtures as test_e2e_browser (a server of its own for this module, Debian's chromium).
demo, server, browser, page = test_e2e_browser.demo, test_e2e_browser.server, test_e2e_browser.browser, test_e2e_browser.page
LEVERED = "/allocation?total=500000&loss=10&gain=10&manager=45000"


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _more_settings(page: Page) -> None:
    """Open the sidebar's "More settings" once the page is drawn, and wait until it is open (a
    click during a redraw can land before the section is there to open)."""
    _settled(page)
    section = page.get_by_test_id("stSidebar").get_by_test_id("stExpander").filter(has_text="More settings").locator("details")
    if section.get_attribute("open") is None:
        page.get_by_text("More settings").click()
    expect(section).to_have_attribute("open", "")


def _clear_by_hand(page: Page, label: str, then: str) -> None:
    """Click into the box, select its text, Delete, then Enter or Tab, as a person does."""
    box = page.get_by_role("spinbutton", name=label)
    box.click()
    box.press("ControlOrMeta+a")
    box.press("Delete")
    box.press(then)


def _amounts(page: Page) -> dict[str, str]:
    """Each partnership's amount as the Allocation table shows it, read from the table's own
    accessible grid (the cells people see are drawn on a canvas)."""
    rows = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first.locator("table[role=grid] tr")
    expect(rows.nth(1)).to_be_attached()
    header, *body = [row.locator("th, td").all_inner_texts() for row in rows.all()]
    code, amount = header.index("Code"), header.index("Amount (£)")
    return {cells[code]: cells[amount] for cells in body}


def _shows(page: Page, wanted: dict[str, str]) -> bool:
    """Whether the table comes to show ``wanted`` (it is redrawn a moment after the run ends)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while _amounts(page) != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return _amounts(page) == wanted


@pytest.mark.parametrize("then", ["Enter", "Tab"])
def test_clearing_the_loss_limit_by_hand_takes_the_floor_off(server, page, then):
    page.goto(f"{server}/allocation?total=500000&gain=10&manager=45000")
    expect(_proof_line(page)).to_contain_text("equals the pot £500,000.00")
    _settled(page)
    no_floor = _amounts(page)
    page.goto(f"{server}{LEVERED}")
    expect(_proof_line(page)).to_contain_text("equals the pot £500,000.00")
    _settled(page)
    floored = _amounts(page)
    assert floored != no_floor  # the floor moves money on this data, so the check below means something
    _more_settings(page)
    _clear_by_hand(page, "Loss limit (%)", then)
    expect(page).not_to_have_url(re.compile(r"[?&]loss="))
    _settled(page)
    loss_box = page.get_by_role("spinbutton", name="Loss limit (%)")
    expect(loss_box).to_have_value("")
    expect(loss_box).to_have_attribute("placeholder", "no floor")
    assert _query(page)["gain"] == ["10"] and _query(page)["manager"] == ["45000"]
    assert _shows(page, no_floor)


def test_clearing_the_gain_limit_and_the_manager_cost_by_hand(server, page):
    page.goto(f"{server}{LEVERED}")
    expect(_proof_line(page)).to_contain_text("equals the pot £500,000.00")
    _more_settings(page)
    _clear_by_hand(page, "Gain limit (%)", "Enter")
    expect(page).not_to_have_url(re.compile(r"[?&]gain="))
    _settled(page)
    _clear_by_hand(page, "Manager cost (£ a year)", "Tab")
    expect(page).not_to_have_url(re.compile(r"[?&]manager="))
    _settled(page)
    assert set(_query(page)) == {"total", "loss"} and _query(page)["loss"] == ["10"]
    expect(page.get_by_role("spinbutton", name="Gain limit (%)")).to_have_value("")
    expect(page.get_by_role("spinbutton", name="Manager cost (£ a year)")).to_have_value("")


def test_a_typed_zero_loss_limit_stays_zero(server, page):
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("equals the pot £500,000.00")
    _more_settings(page)
    box = page.get_by_role("spinbutton", name="Loss limit (%)")
    box.click()
    box.press_sequentially("0")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]loss=0(&|$)"))
    _settled(page)
    expect(box).to_have_value("0.00")


def test_a_typed_total_beyond_the_slider_moves_the_slider(server, page):
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("equals the pot £500,000.00")
    _type_total(page, "£2,500,000")
    expect(_proof_line(page)).to_contain_text("equals the pot £2,500,000.00")
    thumb = page.get_by_role("slider").first
    expect(thumb).to_have_attribute("aria-valuetext", "£2,500,000")
    thumb.focus()
    thumb.press("ArrowRight")
    expect(_proof_line(page)).to_contain_text("equals the pot £2,501,000.00")
    expect(page).to_have_url(re.compile(r"total=2501000"))
