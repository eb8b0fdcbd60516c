"""A dashboard session for the concurrency test: reruns the allocation page with AppTest for a
while and reports, as JSON on stdout, how many reruns it made, the errors it saw (exceptions,
or figures that match neither the old nor the new data) and its longest rerun."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest  # noqa: E402

from pipelines.base import config  # noqa: E402


def main(store: str, seconds: float, allowed: str) -> None:
    config.DEFAULT_DB = Path(store)
    states = {tuple(state) for state in json.loads(allowed)}
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.query_params.update({"total": "10000", "pending": "1", "asof": "2025-09-01"})
    app.run()
    app.switch_page("app_pages/allocation.py")
    app.run()
    print("ready", flush=True)  # the loads start once every session is drawing
    reruns, errors, longest, seen = 0, [], 0.0, set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        app.run()
        longest = max(longest, time.perf_counter() - started)
        reruns += 1
        if app.exception:
            errors.append(app.exception[0].message[:300])
            continue
        amounts = tuple(app.dataframe[0].value["Amount (£)"])
        seen.add(amounts)
        if amounts not in states:
            errors.append(f"figures from neither state: {amounts}")
    print(json.dumps({"reruns": reruns, "errors": errors, "longest_ms": round(longest * 1000), "states_seen": len(seen)}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
