"""The first page a person sees draws without importing what only other pages, downloads or
building a store need: each of these libraries adds to every cold start of the dashboard."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipelines.base import config

# Needed by other pages, the exports, the meeting pack or the loader, never by the Overview.
NOT_ON_THE_FIRST_PAGE = ("altair", "jsonschema", "reportlab", "vl_convert", "xlsxwriter", "pyproj", "shapely", "fastexcel")

RUN_THE_OVERVIEW = """
import json, sys
from streamlit.testing.v1 import AppTest

app = AppTest.from_file(sys.argv[1], default_timeout=120)
app.run()
print(json.dumps({
    "errors": [e.message for e in app.exception],
    "maps": len(app.get("vega_lite_chart")),
    "metrics": len(app.metric),
    "imported": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:]),
}))
"""


def test_the_overview_draws_without_the_libraries_other_pages_need(store):
    done = subprocess.run(
        [sys.executable, "-c", RUN_THE_OVERVIEW, str(config.PROJECT_ROOT / "dashboard" / "app.py"), *NOT_ON_THE_FIRST_PAGE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=config.PROJECT_ROOT,
        env={**os.environ, "PARTNERSHIP_DB": str(store)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["errors"] == []
    assert found["maps"] == 1 and found["metrics"] == 9  # the Overview was drawn, map and figures
    assert found["imported"] == []
