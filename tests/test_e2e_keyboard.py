"""The Allocation and Plan pages (and the Scenarios page's confirmation) worked with the keyboard
alone, in Debian's chromium: after the page is opened the test only presses keys (Tab, Shift+Tab,
the arrows, Enter, Space, Escape) and types, as someone who cannot use a mouse does; it never
clicks nor puts the focus anywhere itself. A control is reached by pressing Tab until it has the
focus (at most a cap of presses, failing with every stop on the way), so a control moved by a
page's change is still found, and the presses each took are recorded.

At every stop the focus must be seen (WCAG 2.2 2.4.7 Focus Visible, with 1.4.11's 3:1 for the
parts of a control one must see): a ring, outline or box-shadow, at least 2 px wide, of a colour
at least 3:1 against what is behind it, on the focused element or, where that is hidden or
clipped, on what is drawn for it; and the ring must be painted: it is read back from a
screenshot, so a ring cut off by its box, under the page's header or transparent does not pass.

Run alone with: python -m pytest tests/test_e2e_keyboard.py"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
import test_e2e_browser
from PIL import Image
from playwright.sync_api import Page, expect
from test_e2e_browser import _csv_total, _proof_line, _settled

pytestmark = pytest.mark.e2e
# The same fixtures as test_e2e_browser (a server of its own for this module, Debian's chromium).
demo, server, browser, page = test_e2e_browser.demo, test_e2e_browser.server, test_e2e_browser.browser, test_e2e_browser.page

# What has the focus, and the ring that shows it: on the focused element or an element around it
# (the outermost such ring: a text box's frame, a slider's thumb, a grid's table), with the colour
# behind the ring (the backgrounds under it laid over each other on the white page), read once the
# focused element has stopped moving.
FOCUS = """async () => {
  // Once the focused element has stopped moving (a panel scrolling it into view) and nothing
  // around it is still animated (an expander opening).
  let last = null;
  for (let frame = 0; frame < 90; frame++) {
    await new Promise(done => requestAnimationFrame(done));
    const active = document.activeElement;
    const r = active?.getBoundingClientRect();
    const now = r ? [r.x, r.y, r.width, r.height].join() : '';
    const moving = document.getAnimations().some(a => a.playState === 'running' && a.effect?.target?.contains?.(active));
    if (now === last && !moving) break;
    last = now;
  }
  const focused = document.activeElement;
  if (!focused || focused === document.body) return {name: '(nothing: the page body)', tag: 'BODY', testid: null, key: null, label: null, ring: null};
  const testid = focused.closest('[data-testid]')?.getAttribute('data-testid') ?? null;
  const keyed = focused.closest('[class*="st-key-"]');
  const key = keyed ? [...keyed.classList].find(c => c.startsWith('st-key-')).slice(7) : null;
  const words = (focused.getAttribute('aria-label') || focused.innerText || focused.value || '').replace(/\\s+/g, ' ').trim();
  const rgba = text => (text.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  let ring = null;
  for (let e = focused; e && e !== document.documentElement; e = e.parentElement) {
    const s = getComputedStyle(e);
    const width = parseFloat(s.outlineWidth);
    let found = null;
    if (s.outlineStyle !== 'none' && s.outlineStyle !== 'hidden' && width > 0)
      found = {kind: 'outline', width, offset: parseFloat(s.outlineOffset), colour: rgba(s.outlineColor)};
    else if (e === focused && s.boxShadow !== 'none') {
      const [, colour, x, y, blur, spread, inset] = s.boxShadow.match(/^(rgba?\\([^)]*\\)) (\\S+) (\\S+) (\\S+) (\\S+)( inset)?/) || [];
      if (colour && parseFloat(x) === 0 && parseFloat(y) === 0)
        found = {kind: 'box-shadow', width: parseFloat(spread), offset: inset ? -parseFloat(spread) : 0, colour: rgba(colour)};
    }
    if (!found) continue;
    const box = e.getBoundingClientRect();
    const layers = [];
    for (let b = e.parentElement; b; b = b.parentElement) {
      const colour = rgba(getComputedStyle(b).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let behind = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) behind = [r, g, b].map((c, i) => c * a + behind[i] * (1 - a));
    ring = {...found, holder: e === focused ? 'itself' : e.getAttribute('data-testid') || e.tagName.toLowerCase(),
            x: box.x, y: box.y, w: box.width, h: box.height, radius: s.borderTopLeftRadius.endsWith('%') ? parseFloat(s.borderTopLeftRadius) / 100 * Math.min(box.width, box.height) : parseFloat(s.borderTopLeftRadius) || 0, behind};
  }
  return {name: words.slice(0, 70), tag: focused.tagName, testid, key, label: focused.getAttribute('aria-label'), ring};
}"""


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one, other) -> float:
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb[:3])


def _over(colour, behind) -> tuple[float, float, float]:
    r, g, b, a = colour
    return (r * a + behind[0] * (1 - a), g * a + behind[1] * (1 - a), b * a + behind[2] * (1 - a))


def _ring_path(ring: dict) -> list[tuple[int, float, float]]:
    """Points every 3 px along the middle of the ring's band, by side (0 top, 1 right, 2 bottom,
    3 left, each with the rounded corner after it): the element's box grown by the outline's
    offset and half its width (shrunk, for a ring drawn inside), its corners rounded as the box's
    are (a ring follows its element's border-radius)."""
    out = ring["offset"] + ring["width"] / 2
    left, top = ring["x"] - out, ring["y"] - out
    width, height = ring["w"] + 2 * out, ring["h"] + 2 * out
    right, bottom = left + width, top + height
    radius = min(max(ring["radius"] + out, 0), width / 2, height / 2) if ring["radius"] else 0
    points: list[tuple[int, float, float]] = []
    corners = (
        (right - radius, top + radius),
        (right - radius, bottom - radius),
        (left + radius, bottom - radius),
        (left + radius, top + radius),
    )
    starts = ((left + radius, top), (right, top + radius), (right - radius, bottom), (left, bottom - radius))
    for side in range(4):
        (x0, y0), (cx, cy) = starts[side], corners[side]
        x1, y1 = corners[side][0] if side % 2 == 0 else x0, corners[side][1] if side % 2 else y0
        steps = max(int(math.hypot(x1 - x0, y1 - y0) / 3), 1)
        points += [(side, x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps)]
        turn = -math.pi / 2 + side * math.pi / 2  # the corner's arc, clockwise from this side's end
        steps = max(int(radius * math.pi / 2 / 3), 1) if radius else 0
        points += [
            (side, cx + radius * math.cos(turn + math.pi / 2 * i / steps), cy + radius * math.sin(turn + math.pi / 2 * i / steps))
            for i in range(steps)
        ]
    return points


class Walk:
    """Key presses on one page, each stop's focus checked (problems kept, to be listed at the end)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops: list[str] = []
        self.problems: list[str] = []
        self.presses: dict[str, int] = {}
        self.rings: dict[str, int] = {}  # each kind of ring met, with its colours: how many stops
        self.lost: list[str] = []  # the stop before each time the focus fell to the page's body

    def look(self, check: bool = True, moved: bool = False) -> dict:
        """What has the focus now; ``moved``: a key meant to move it was pressed (Tab past the
        last control leaves the page's body focused; after any other key it was lost)."""
        stop = self.page.evaluate(FOCUS)
        where = f"{stop['tag']} {stop['testid'] or ''} {stop['name']!r}".strip()
        if stop["tag"] == "BODY" and self.stops and not moved:
            self.lost.append(self.stops[-1])
        self.stops.append(where)
        if check:
            problem = self._unseen(stop)
            if problem:
                self.problems.append(f"{where}: {problem}")
        return stop

    def _unseen(self, stop: dict) -> str | None:
        ring = stop["ring"]
        if stop["tag"] == "BODY":
            return None  # nothing has the focus (a control that went away): nothing to show
        if ring is None:
            return "no focus ring (no outline, no box-shadow)"
        colour = _over(ring["colour"], ring["behind"])
        contrast = _contrast(colour, ring["behind"])
        measured = (
            f"{'on the element' if ring['holder'] == 'itself' else 'around it'}: {ring['kind']} {ring['width']:g} px "
            f"{_hex(colour)} on {_hex(ring['behind'])}, {contrast:.1f}:1"
        )
        self.rings[measured] = self.rings.get(measured, 0) + 1
        if ring["width"] < 2:
            return f"{ring['kind']} only {ring['width']} px wide"
        if contrast < 3:
            return f"{ring['kind']} {tuple(round(c) for c in colour)} is {contrast:.2f}:1 against {ring['behind']}"
        window = self.page.viewport_size or {"width": 1280, "height": 900}
        points = [
            (side, int(x), int(y)) for side, x, y in _ring_path(ring) if 0 <= x < window["width"] and 0 <= y < window["height"]
        ]
        if len(points) < 8:
            return f"the ring is off the screen ({ring})"
        # Only the ring's part of the window is taken (a whole screenshot per stop is slow).
        x0, y0 = min(x for _, x, _ in points), min(y for _, _, y in points)
        x1, y1 = max(x for _, x, _ in points), max(y for _, _, y in points)
        shot = Image.open(
            io.BytesIO(self.page.screenshot(clip={"x": x0, "y": y0, "width": x1 - x0 + 1, "height": y1 - y0 + 1}))
        ).convert("RGB")
        by_side = [[(x, y) for side, x, y in points if side == wanted] for wanted in range(4)]
        painted = [
            sum(1 for x, y in side if max(abs(a - b) for a, b in zip(shot.getpixel((x - x0, y - y0)), colour, strict=True)) <= 48)
            for side in by_side
        ]
        # Seen: two of its sides whole on screen (a region as tall as the window has its top
        # under the page's header); a ring cut off by its box's edges shows no side whole.
        whole = sum(1 for side, count in zip(by_side, painted, strict=True) if len(side) >= 3 and count >= 0.9 * len(side))
        if whole < 2:
            shown = ", ".join(f"{count}/{len(side)}" for side, count in zip(by_side, painted, strict=True))
            return f"the ring is cut off or covered: its colour at {shown} points on its top, right, bottom and left"
        return None

    def press(self, key: str, check: bool = True) -> dict:
        self.page.keyboard.press(key)
        return self.look(check, moved=True)

    def to(self, what: str, matches: Callable[[dict], bool], key: str = "Tab", cap: int = 60, check: bool = True) -> dict:
        """Press ``key`` until the focus is on what ``matches``; the presses are kept under ``what``."""
        first = len(self.stops)
        for presses in range(1, cap + 1):
            stop = self.press(key, check)
            if matches(stop):
                self.presses[what] = presses
                return stop
        raise AssertionError(
            f"{what}: not reached in {cap} presses of {key}; the focus went to:\n" + "\n".join(self.stops[first:])
        )

    def assert_seen(self) -> None:
        assert self.stops, "no stop was checked"
        assert self.problems == [], "the focus is not seen at:\n" + "\n".join(self.problems)


def _ready(page: Page) -> None:
    """The page has drawn, and the app's style sheet is in it: Streamlit loads the code that draws
    st.html on its first use in a browser, so the rest of a page can be on screen before it."""
    _settled(page)
    page.wait_for_function("() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('#ffdd00'))")


def named(pattern: str) -> Callable[[dict], bool]:
    return lambda stop: re.search(pattern, stop["name"]) is not None


def labelled(label: str) -> Callable[[dict], bool]:
    return lambda stop: stop["label"] == label


def _report(walk: Walk, record_property, title: str) -> None:
    record_property(f"{title}_tab_presses", walk.presses)
    record_property(f"{title}_rings", walk.rings)
    record_property(f"{title}_focus_lost_after", walk.lost)
    print(f"\n{title}: {len(walk.stops)} stops; presses {walk.presses}; rings {walk.rings}; focus lost after {walk.lost}")


def test_the_allocation_page_by_keyboard_alone(server, page, record_property):
    """From the top: the pot moved with the arrows and typed, a setting under More settings
    switched, the CSV downloaded for the pot on screen, a partnership's schools listed and its
    page opened."""
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("£500,000.00 equals the pot £500,000.00")
    _ready(page)
    walk = Walk(page)
    walk.to("skip link", named("^Skip to main content$"), cap=1)

    walk.to("Total pot slider", labelled("Total pot"))
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(_proof_line(page)).to_contain_text("£502,000.00 equals the pot £502,000.00")
    expect(page).to_have_url(re.compile(r"total=502000"))
    _settled(page)
    assert walk.look()["label"] == "Total pot", "the slider lost the focus in the redraw"

    walk.to("Exact total", labelled("Exact total"))
    page.keyboard.press("Control+a")
    page.keyboard.type("600000")
    page.keyboard.press("Enter")
    expect(_proof_line(page)).to_contain_text("£600,000.00 equals the pot £600,000.00 — 14 funded")
    _settled(page)

    walk.to("More settings", named("More settings$"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Fund partnerships pending accreditation")).to_be_visible()
    walk.to("pending toggle", named("^Fund partnerships pending accreditation"))
    page.keyboard.press("Space")
    expect(_proof_line(page)).to_contain_text("£600,000.00 equals the pot £600,000.00 — 15 funded")
    expect(page).to_have_url(re.compile(r"pending=1"))
    _settled(page)

    walk.to("CSV download", named(r"CSV for £600,000$"), cap=80)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert _csv_total(download.value.path()) == (Decimal("600000.00"), 15)
    assert download.value.suggested_filename.startswith("allocation_total-600000_")

    # The schools of a partnership: a bar cannot take the focus; the list under the chart can.
    # On from the downloads, round by the page's top (Shift+Tab out of a grid can jump to the top).
    walk.to("schools list", lambda stop: stop["key"] == "allocation_picked" and stop["tag"] == "INPUT", cap=80)
    page.keyboard.type("LOC9")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Schools of LOC9-10 — Yarmouth and Gorleston (Locality 9/10)")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").filter(has_text="Caister Academy")).to_be_visible()
    _settled(page)
    walk.to("partnership link", named("Open LOC9-10 on the Partnerships page$"), cap=30)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Yarmouth and Gorleston (Locality 9/10)")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/partnerships\?.*p=LOC9-10"))
    _report(walk, record_property, "allocation")
    walk.assert_seen()


def test_the_skip_link_takes_the_focus_past_the_sidebar(server, page):
    """The first Tab reaches "Skip to main content"; Enter puts the focus on the page's main
    region (its ring drawn inside it) and the next Tab on the page's first control."""
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("£500,000.00 equals")
    _ready(page)
    walk = Walk(page)
    walk.to("skip link", named("^Skip to main content$"), cap=1)
    page.keyboard.press("Enter")
    assert walk.look()["testid"] == "stMain"
    walk.to("the title's link", labelled("Link to heading"), cap=1)
    walk.assert_seen()


def test_a_download_pressed_with_enter_as_the_page_redraws_is_for_the_new_pot(server, page):
    """A download button answers Enter as it answers a click (download_guard.js): pressed straight
    after the pot changes, while the page may still be redrawing, the file is for the new pot; and
    pressed while a redraw is surely under way (Streamlit's R key reruns the page), the press is
    held, shown as waiting, and gives its one file when the redraw ends."""
    page.goto(f"{server}/allocation?total=500000")
    expect(_proof_line(page)).to_contain_text("£500,000.00 equals")
    _ready(page)
    files: list = []
    page.on("download", lambda download: files.append(download))
    walk = Walk(page)
    walk.to("Total pot slider", labelled("Total pot"), check=False)
    for trial in range(1, 4):
        page.keyboard.press("ArrowRight")
        walk.to("CSV download", named(r"CSV for £"), check=False)  # no waiting for the redraw
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        wanted = 500_000 + 1_000 * trial
        assert _csv_total(download.value.path()) == (Decimal(wanted), 15), trial
        assert download.value.suggested_filename.startswith(f"allocation_total-{wanted}_")
        expect(_proof_line(page)).to_contain_text(f"£{wanted:,}.00 equals the pot")
        _settled(page)
        walk.to("Total pot slider", labelled("Total pot"), key="Shift+Tab", cap=80, check=False)

    walk.to("CSV download", named(r"CSV for £503,000$"), check=False)
    page.evaluate(HELD_WATCH)
    page.keyboard.press("r")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert _csv_total(download.value.path()) == (Decimal(503_000), 15)
    assert "st-key-download_csv" in page.evaluate("window.__held"), "the press was not held for the redraw"
    page.wait_for_timeout(1_000)  # a second file for one press would arrive by now
    assert len(files) == 4


# Keeps each value of the download guard's mark of held presses (only watched, nothing done).
HELD_WATCH = """() => { window.__held = [];
  new MutationObserver(() => window.__held.push(document.documentElement.dataset.downloadsHeld || ''))
    .observe(document.documentElement, {attributes: true, attributeFilter: ['data-downloads-held']}); }"""


def _draft_note(page: Page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stAlert").filter(has_text="Draft membership plan")


def _suggestion(stop: dict) -> bool:
    """A rank-1 alternative of a gap "no college" ("Bring in <college> · <km>")."""
    return stop["testid"] == "stBaseButton-primary" and stop["name"].startswith("Bring in ")


def test_the_plan_page_by_keyboard_alone(server, page, record_property):
    """Two suggestions into the draft, one change selected in the draft's table and taken out,
    then the draft discarded: Tab, Enter and the table's Shift+Space."""
    page.goto(f"{server}/plan?total=500000")
    expect(page.get_by_role("heading", name="Plan the partnership map")).to_be_visible()
    expect(page.get_by_text("No changes yet")).to_be_visible()
    _ready(page)
    walk = Walk(page)
    walk.to("first suggestion", _suggestion)
    page.keyboard.press("Enter")
    expect(_draft_note(page)).to_contain_text("Draft membership plan: 1 change.")
    _settled(page)
    walk.look()  # the button pressed has gone with its gap: where is the focus now?
    walk.to("next suggestion", _suggestion)
    page.keyboard.press("Enter")
    expect(_draft_note(page)).to_contain_text("Draft membership plan: 2 changes.")
    _settled(page)
    rows = page.locator(".st-key-plan_draft_table table[role=grid]")
    expect(rows).to_have_attribute("aria-rowcount", "3")

    walk.to(
        "draft table",
        lambda stop: (stop["key"] or "").startswith("plan_draft_rows_") and stop["testid"] != "stBaseButton-elementToolbar",
        cap=80,
    )
    page.keyboard.press("Shift+Space")  # the first change (the table starts on its first row)
    take_out = page.get_by_role("button", name=re.compile(r"Take out the selected changes \(1\)"))
    expect(take_out).to_be_enabled()
    _settled(page)
    walk.to("take out", named(r"Take out the selected changes \(1\)$"), cap=30)
    page.keyboard.press("Enter")
    expect(_draft_note(page)).to_contain_text("Draft membership plan: 1 change.")
    expect(rows).to_have_attribute("aria-rowcount", "2")
    _settled(page)
    walk.look()  # the button pressed is now disabled
    # The table of the smaller draft has nothing selected (the row left is another change).
    expect(page.get_by_role("button", name=re.compile(r"Take out the selected changes \(0\)"))).to_be_disabled()

    walk.to("discard", lambda stop: stop["key"] == "plan_discard", cap=60)
    page.keyboard.press("Enter")
    expect(page.get_by_text("No changes yet")).to_be_visible()
    expect(_draft_note(page)).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"plan="))
    _settled(page)
    walk.look()
    _report(walk, record_property, "plan")
    walk.assert_seen()


def test_deleting_a_scenario_is_confirmed_by_keyboard_alone(server, page, record_property):
    """A scenario picked in the list by typing its name; Delete asks first: Cancel, then Yes, each
    reached with Tab."""
    page.goto(f"{server}/scenarios")
    expect(page.get_by_role("heading", name="Open, delete or approve one")).to_be_visible()
    _ready(page)
    walk = Walk(page)
    walk.to("scenario list", lambda stop: stop["tag"] == "INPUT" and stop["label"] == "Scenario")
    page.keyboard.type("£500k")  # the list opens on the newest; the oldest is picked by its name
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="Scenario", exact=True)).to_have_value("#1 £500k, accredited only")
    _settled(page)
    walk.to("delete", named(r"Delete it…$"))
    page.keyboard.press("Enter")
    question = page.get_by_text(re.compile(r"^Delete #1 £500k, accredited only\? This cannot be undone\.$"))
    expect(question).to_be_visible()
    _settled(page)
    walk.to("cancel", named(r"^Cancel$"), cap=10)
    page.keyboard.press("Enter")
    expect(question).to_have_count(0)
    _settled(page)
    walk.look()  # Cancel has gone with the question
    walk.to("delete again", named(r"Delete it…$"), key="Shift+Tab", cap=10)
    page.keyboard.press("Enter")
    expect(question).to_be_visible()
    _settled(page)
    walk.to("yes", named(r"^Yes, delete #1$"), cap=10)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Deleted #1 £500k, accredited only.")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).not_to_contain_text("£500k, accredited only")
    _settled(page)
    walk.look()
    _report(walk, record_property, "scenarios")
    walk.assert_seen()
