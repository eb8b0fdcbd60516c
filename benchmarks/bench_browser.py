"""Time a slider change -> redrawn table in a real browser (Playwright driving Debian's
chromium), on the allocation page and on a bare Streamlit page with one slider and a small
table, served the same way in the same run. Then open N sessions at once and report the
dashboard process's memory.

    python benchmarks/bench_browser.py [--presses 10] [--sessions 20] [--england] [--quick]

Prints figures and ratios; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from benchmarks.stores import bench_stores  # noqa: E402
from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, serve  # noqa: E402

# The floor: one slider and an eleven-row table that follows it, nothing else.
BARE = """import streamlit as st
total = st.slider("Total pot (£)", 0, 2_000_000, 500_000, step=1_000)
st.dataframe([{"partnership": f"P{i}", "amount": total // 11} for i in range(11)])
st.write(f"Sum of amounts £{total:,}.00 equals the pot £{total:,}.00")
"""
PROOF = re.compile(r"Sum of amounts £[\d,]+\.\d\d (equals|does NOT equal) the pot")


def _presses(page: Page, url: str, presses: int) -> list[float]:
    """Milliseconds from an arrow key on the pot slider to the proof line showing the new pot."""
    page.goto(url)
    proof = page.get_by_text(PROOF)
    expect(proof).to_contain_text("£500,000.00 equals")
    thumb = page.get_by_role("slider").first
    times = []
    for index in range(1, presses + 1):
        thumb.focus()
        started = time.perf_counter()
        thumb.press("ArrowRight")
        expect(proof).to_contain_text(f"£{500_000 + 1_000 * index:,}.00 equals the pot")
        times.append((time.perf_counter() - started) * 1000)
    return times


def slider_figures(browser, store: Path, bare: Path, presses: int, label: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    with serve(bare) as served:
        bare_ms = statistics.median(_presses(page, served.url, presses))
    with serve(PROJECT_ROOT / "dashboard" / "app.py", store) as served:
        _presses(page, f"{served.url}/allocation?total=500000", 1)  # warm the caches once
        page_ms = statistics.median(_presses(page, f"{served.url}/allocation?total=500000", presses))
    context.close()
    print(f"{label}: slider -> redrawn table {page_ms:.0f} ms in chromium; bare page {bare_ms:.0f} ms; "
          f"ratio {page_ms / bare_ms:.1f}x (median of {presses})")


def memory_figures(browser, store: Path, sessions: int, label: str) -> None:
    """Open ``sessions`` browser sessions on the allocation page, each at its own pot, and
    read the server's resident memory once all have drawn their table."""
    with serve(PROJECT_ROOT / "dashboard" / "app.py", store) as served:
        idle_mb = served.rss_mb()
        contexts = []
        for index in range(sessions):
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.set_default_timeout(120_000)
            total = 500_000 + 1_000 * index
            page.goto(f"{served.url}/allocation?total={total}")
            expect(page.get_by_text(PROOF)).to_contain_text(f"£{total:,}.00 equals")
            contexts.append(context)
            if index == 0:
                one_mb = served.rss_mb()
        all_mb = served.rss_mb()
        for context in contexts:
            context.close()
    print(f"{label}: dashboard process memory {idle_mb:.0f} MB idle, {one_mb:.0f} MB with 1 session, "
          f"{all_mb:.0f} MB with {sessions} sessions open at once")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--england", action="store_true", help="also on a generated England-sized store")
    parser.add_argument("--quick", action="store_true", help="2 presses, 3 sessions, Norfolk only (CI smoke run)")
    args = parser.parse_args()
    presses, sessions = (2, 3) if args.quick else (args.presses, args.sessions)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        bare = folder / "bare.py"
        bare.write_text(BARE)
        stores = bench_stores(folder, england=args.england and not args.quick)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, store in stores:
            slider_figures(browser, store, bare, presses, label)
            memory_figures(browser, store, sessions, label)
        browser.close()


if __name__ == "__main__":
    main()
