"""Time an allocation-page rerun (AppTest, the pot moved by the slider) against a bare
Streamlit page with one slider, measured in the same run on the default Norfolk store (and
with --england on a generated England-sized store).

    python benchmarks/bench_rerun.py [--repeat 20] [--england] [--quick]

Prints figures and the ratio; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.stores import bench_stores  # noqa: E402
from dashboard.state import POT_SLIDER  # noqa: E402
from pipelines import config  # noqa: E402

# The floor: the same select slider (same options and key) and nothing else.
BARE = (
    "import streamlit as st\n"
    f"value = st.select_slider('x', range(0, 2_001_000, 1_000), value=500_000, key={POT_SLIDER!r})\nst.write(value)\n"
)


def _reruns(app: AppTest, repeat: int) -> list[float]:
    times = []
    for index in range(repeat):
        app.select_slider(key=POT_SLIDER).set_value(500_000 + 1_000 * (index + 1))
        started = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not app.exception, [e.message for e in app.exception]
    return times


def page_reruns(store: Path, repeat: int) -> float:
    config.DEFAULT_DB = store
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=120)
    app.query_params["total"] = "500000"
    app.run()
    app.switch_page("app_pages/allocation.py").run()
    return statistics.median(_reruns(app, repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--england", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stores = bench_stores(folder, england=args.england and not args.quick)
        bare_file = folder / "bare.py"
        bare_file.write_text(BARE)
        bare = AppTest.from_file(str(bare_file), default_timeout=60).run()
        bare_ms = statistics.median(_reruns(bare, repeat))
        for label, store in stores:
            page_ms = page_reruns(store, repeat)
            print(
                f"{label}: allocation page rerun (AppTest, slider moved) {page_ms:.0f} ms; bare one-slider page "
                f"{bare_ms:.1f} ms; ratio {page_ms / bare_ms:.1f}x; target 2x bare + 100 ms = {2 * bare_ms + 100:.0f} ms"
            )


if __name__ == "__main__":
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    main()
