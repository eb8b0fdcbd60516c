"""Time a cold start: from launching ``streamlit run dashboard/app.py`` until a fresh chromium
page shows the Overview fully drawn, beside a bare Streamlit page that draws a small table,
started and timed the same way in the same run; then the time the dashboard's own imports take.

    python benchmarks/bench_cold_start.py [--runs 10] [--imports 10] [--quick]

Each run starts a new server process (so nothing is cached or imported yet) on the default
Norfolk store, built once beforehand from the default data in a temporary folder, and opens a
new browser context (no cache); one untimed bare page first warms chromium itself, whose
first page after launch took about 2 s longer whatever it showed. The clock starts when the process is
launched and stops when the page shows what the Overview draws last (the note under the
"Schools not covered" table), the map with its outlines, points, codes and legends, the table's
header and rows, the nine figures, and the page reports its run finished. Dashboard and bare
runs alternate, so a change in the machine's load falls on both. Prints the machine, then the
median and spread of each; it never fails on a timing.

The import figure is the wall time, in a fresh interpreter, of the top-level imports of
dashboard/app.py and of the Overview page after Streamlit itself is imported (the server has
imported Streamlit before it runs the app), with the heavy libraries they pulled in.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.figures import machine  # noqa: E402
from benchmarks.serve import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, serve  # noqa: E402
from benchmarks.stores import bench_stores  # noqa: E402

WAIT_MS = 120_000  # a loaded machine can be slow; never Playwright's 5 s default
APP = PROJECT_ROOT / "dashboard" / "app.py"
OVERVIEW = PROJECT_ROOT / "dashboard" / "app_pages" / "overview.py"
LAST_NOTE = "Triangles with a black outline on the map."  # the Overview's last element (its caption)
OVERVIEW_METRICS = 9

# Checked in the page on every animation frame, not by Playwright's expect (whose retries back
# off to a second apart and would round every run up to its next retry). Vega draws a chart's
# marks in one pass, so once points, outlines, codes and both legends are there the map is drawn.
OVERVIEW_DRAWN = """([note, metrics]) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (app === null || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const captions = [...document.querySelectorAll("[data-testid='stCaptionContainer']")];
    if (!captions.some((c) => c.textContent.includes(note))) return false;
    if (document.querySelectorAll("[data-testid='stMetric']").length < metrics) return false;
    const map = document.querySelector("[data-testid='stVegaLiteChart'] svg");
    if (map === null) return false;
    const marks = (selector) => map.querySelectorAll(selector).length;  // Vega's classes (marks have no ARIA names)
    if (marks(".mark-shape path") === 0 || marks(".mark-symbol path") === 0 || marks(".mark-text text") === 0
        || marks(".role-legend") < 2) return false;
    const grid = document.querySelector("[data-testid='stDataFrame'] table[role=grid]");
    if (grid === null || grid.querySelectorAll("th").length === 0) return false;
    return grid.getAttribute("aria-rowcount") === "1" || grid.querySelectorAll("td").length > 0;  // its rows, if any
}"""

# The floor: a page that draws one small table, served and timed the same way.
BARE = """
import streamlit as st

st.dataframe([{"School": f"School {i}", "Kind": "high school", "District": "Norwich"} for i in range(8)], hide_index=True)
st.caption("Bare page drawn.")
"""
BARE_DRAWN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
        && [...document.querySelectorAll("[data-testid='stDataFrame'] table[role=grid] td")]
            .some((td) => td.textContent.trim() === "School 7");
}"""

# Libraries worth naming when an import pulls them in: none of them is needed to draw the Overview.
HEAVY = ("altair", "pandas", "pyarrow", "pyproj", "shapely", "xlsxwriter", "reportlab", "vl_convert", "fastexcel", "jsonschema")


def cold_start(browser, script: Path, store: Path | None, drawn: str, arg) -> tuple[float, float]:
    """Seconds from launching the server to its port accepting connections, and to the page drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.set_default_navigation_timeout(WAIT_MS)
    started = time.perf_counter()
    try:
        with serve(script, store) as served:
            listening = time.perf_counter() - started
            page.goto(served.url)
            page.wait_for_function(drawn, arg=arg, polling="raf", timeout=WAIT_MS)
            return listening, time.perf_counter() - started
    finally:
        context.close()


def top_level_imports(*scripts: Path) -> list[str]:
    """The import statements at the top level of the scripts, as written (run in order)."""
    lines = []
    for script in scripts:
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.module != "__future__"):
                lines.append(ast.unparse(node))
    return lines


def import_time() -> tuple[float, float, list[str]]:
    """In a fresh interpreter: seconds to import Streamlit, then the app's and the Overview's own
    imports, and which heavy libraries the latter brought in."""
    statements = top_level_imports(APP, OVERVIEW)
    code = (
        "import json, sys, time\n"
        "started = time.perf_counter()\n"
        "import streamlit\n"
        "streamlit_done = time.perf_counter()\n"
        "before = set(sys.modules)\n" + "".join(f"{line}\n" for line in statements) + "done = time.perf_counter()\n"
        f"heavy = sorted(m for m in set(sys.modules) - before if m in {HEAVY!r})\n"
        "print(json.dumps([streamlit_done - started, done - streamlit_done, heavy]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    streamlit_s, own_s, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    return streamlit_s, own_s, heavy


def seconds(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered):.2f} s, min-max {ordered[0]:.2f}-{ordered[-1]:.2f} s (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts of each page, a new server process each")
    parser.add_argument("--imports", type=int, default=10, help="fresh interpreters timing the imports")
    parser.add_argument("--quick", action="store_true", help="1 run and 1 import timing (CI smoke run)")
    args = parser.parse_args()
    runs, imports = (1, 1) if args.quick else (max(args.runs, 1), max(args.imports, 1))
    print(machine())
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        bare = folder / "bare.py"
        bare.write_text(BARE)
        (label, store), *_ = bench_stores(folder, england=False)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        dashboard: list[tuple[float, float]] = []
        floor: list[tuple[float, float]] = []
        cold_start(browser, bare, None, BARE_DRAWN, None)  # untimed: chromium's own first page is slower
        for _ in range(runs):
            floor.append(cold_start(browser, bare, None, BARE_DRAWN, None))
            dashboard.append(cold_start(browser, APP, store, OVERVIEW_DRAWN, [LAST_NOTE, OVERVIEW_METRICS]))
        browser.close()
    print(f"{label}: launch of `streamlit run` -> page fully drawn in a fresh chromium page, a new server each run")
    print(f"  Overview:   {seconds([d for _, d in dashboard])}")
    print(f"  bare table: {seconds([d for _, d in floor])}")
    print(f"  difference of medians {statistics.median(d for _, d in dashboard) - statistics.median(d for _, d in floor):.2f} s")
    print("  of which launch -> server listening:")
    print(f"    Overview:   {seconds([s for s, _ in dashboard])}")
    print(f"    bare table: {seconds([s for s, _ in floor])}")
    timings = [import_time() for _ in range(imports)]
    print("imports in a fresh interpreter:")
    print(f"  streamlit:                                 {seconds([s for s, _, _ in timings])}")
    print(f"  then dashboard/app.py's and the Overview's: {seconds([o for _, o, _ in timings])}")
    print(f"  heavy libraries they pull in: {', '.join(timings[0][2]) or 'none'}")


if __name__ == "__main__":
    main()
