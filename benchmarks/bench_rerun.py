"""Time an allocation-page rerun (AppTest, the pot moved by the slider) against a bare
Streamlit page with the same slider, measured in the same run on the default Norfolk store (and
with --england / --scale N on generated England-sized stores).

    python benchmarks/bench_rerun.py [--repeat 20] [--england] [--scale 4 --scale 16] [--quick]

Each rerun is timed as a real server spends it: the script run, then the full garbage collection
Streamlit makes after every run when `runner.postScriptGC` is on (its default, and this
project's), which AppTest itself skips. Prints the machine, the median and spread of both parts,
and the ratio to the floor; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit import config as streamlit_config  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.figures import machine, spread  # noqa: E402
from benchmarks.stores import bench_stores  # noqa: E402
from dashboard import collector  # noqa: E402
from dashboard.state import POT_SLIDER  # noqa: E402
from pipelines.base import config  # noqa: E402

# The floor: the same select slider (same options and key) and nothing else.
BARE = (
    "import streamlit as st\n"
    f"value = st.select_slider('x', range(0, 2_001_000, 1_000), value=500_000, key={POT_SLIDER!r})\nst.write(value)\n"
)


def _reruns(app: AppTest, repeat: int, start: int = 500_000) -> tuple[list[float], list[float]]:
    """Milliseconds of each run and of the collection a server makes after it, the pot moved
    £1,000 a run from ``start`` (pots no earlier run used, so no cached figure is reused)."""
    runs, collections = [], []
    collect = bool(streamlit_config.get_option("runner.postScriptGC"))
    for index in range(repeat + 1):
        app.select_slider(key=POT_SLIDER).set_value(start + 1_000 * (index + 1))
        started = time.perf_counter()
        app.run()
        ran = time.perf_counter()
        if collect:
            gc.collect(2)  # what ScriptRunner does after a run; AppTest's runner does not
        collected = time.perf_counter()
        assert not app.exception, [e.message for e in app.exception]
        if index:  # the first rerun warms the caches and is not counted
            runs.append((ran - started) * 1000)
            collections.append((collected - ran) * 1000)
    return runs, collections


FREEZE = collector.freeze_when_modules_grow


def _freezing(on: bool) -> None:
    """The dashboard's freeze of long-lived objects (dashboard/collector.py) on or off, from a
    thawed heap, so both ways are measured in one process."""
    gc.unfreeze()
    collector._modules_when_frozen = 0  # noqa: SLF001 - the benchmark starts the rule afresh
    collector.freeze_when_modules_grow = FREEZE if on else lambda: False


def page_reruns(store: Path, repeat: int, freeze: bool = True, start: int = 500_000) -> tuple[list[float], list[float]]:
    _freezing(freeze)
    config.DEFAULT_DB = store
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=120)
    app.query_params["total"] = "500000"
    app.run()
    app.switch_page("app_pages/allocation.py").run()
    return _reruns(app, repeat, start)


def _total(runs: list[float], collections: list[float]) -> list[float]:
    return [a + b for a, b in zip(runs, collections, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--england", action="store_true")
    parser.add_argument("--scale", type=int, action="append", default=[], help="also N times England (repeatable)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    print(machine())
    print(f"runner.postScriptGC = {streamlit_config.get_option('runner.postScriptGC')}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scales = () if args.quick else tuple(args.scale)
        stores = bench_stores(folder, england=args.england and not args.quick, scales=scales)
        bare_file = folder / "bare.py"
        bare_file.write_text(BARE)
        for label, store in stores:
            unfrozen = page_reruns(store, repeat, freeze=False, start=1_000_000)
            page = page_reruns(store, repeat)
            # The floor in the same process, after the dashboard, so it is collected over the same heap.
            bare = _reruns(AppTest.from_file(str(bare_file), default_timeout=60).run(), repeat)
            page_ms, bare_ms = statistics.median(_total(*page)), statistics.median(_total(*bare))
            print(f"{label}: allocation page rerun (AppTest, slider moved) and the collection after it")
            print(f"  page run:          {spread(page[0])}")
            print(f"  page collection:   {spread(page[1])}")
            print(f"  page, both:        {spread(_total(*page))}")
            print(f"  without the dashboard's freeze of long-lived objects, same run: run {spread(unfrozen[0])}")
            print(f"                     collection {spread(unfrozen[1])}; both {spread(_total(*unfrozen))}")
            print(f"  bare page, both:   {spread(_total(*bare))}")
            print(f"  ratio {page_ms / bare_ms:.1f}x; target 2x bare + 100 ms = {2 * bare_ms + 100:.0f} ms")


if __name__ == "__main__":
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    main()
