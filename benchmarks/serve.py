"""Serve a Streamlit script on a free local port and drive it with Debian's chromium: shared by
the browser benchmarks and the browser tests, so both measure the same set-up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser downloaded by Playwright
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path  # everything the server printed; a file, so a long run never blocks on a full pipe

    def faults(self) -> list[str]:
        """The pages that failed with a fault (the app logs each with its traceback)."""
        return [line for line in self.log.read_text(errors="replace").splitlines() if " ERROR " in line]

    def rss_mb(self) -> float:
        """Resident memory of the server process (Streamlit serves every session from it)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS for the server process")


@contextmanager
def serve(script: Path, store: Path | None = None, timeout_s: float = 90, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``streamlit run script`` headless until the block ends; ``store`` is the DuckDB file
    the dashboard opens (PARTNERSHIP_DB)."""
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    if store is not None:
        env["PARTNERSHIP_DB"] = str(store)
    handle, name = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
    log = Path(name)
    with os.fdopen(handle, "wb") as output:  # the server keeps its own copy of the file
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise RuntimeError("Streamlit did not start: " + log.read_text(errors="replace")) from None
                time.sleep(0.3)
        yield Served(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)
