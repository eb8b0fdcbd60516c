"""Time an allocation-page rerun (AppTest, the pot moved by the slider) against a bare
Streamlit page with one slider, measured in the same run on the default Norfolk store.

    python benchmarks/bench_rerun.py [--repeat 20] [--quick]

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

from pipelines import settings  # noqa: E402
from pipelines.build_default import build  # noqa: E402

BARE = "import streamlit as st\nvalue = st.slider('x', 0, 2_000_000, 500_000, step=1_000, key='total_slider')\nst.write(value)\n"


def _reruns(app: AppTest, repeat: int) -> list[float]:
    times = []
    for index in range(repeat):
        app.slider(key="total_slider").set_value(500_000 + 1_000 * (index + 1))
        started = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not app.exception, [e.message for e in app.exception]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.duckdb"
        build(store, settings.DEFAULT_DATA_DIR)
        settings.DEFAULT_DB = store
        bare_file = Path(tmp) / "bare.py"
        bare_file.write_text(BARE)
        bare = AppTest.from_file(str(bare_file), default_timeout=60).run()
        bare_ms = statistics.median(_reruns(bare, repeat))
        app = AppTest.from_file(str(settings.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
        app.query_params["total"] = "500000"
        app.run()
        app.switch_page("app_pages/allocation.py").run()
        page_ms = statistics.median(_reruns(app, repeat))
    print(f"allocation page rerun (AppTest, slider moved): {page_ms:.0f} ms; bare one-slider page {bare_ms:.1f} ms; "
          f"difference {page_ms - bare_ms:.0f} ms, ratio {page_ms / bare_ms:.1f}x")


if __name__ == "__main__":
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    main()
