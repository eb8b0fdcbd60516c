"""The pack command: the meeting pack as a PDF file, at the same settings flags as allocate."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.base import clock
from pipelines.cli import figures_cli
from pipelines.outputs import meeting_pack
from pipelines.store import db


def pack_command(args: argparse.Namespace) -> int:
    """Refusals propagate as AllocationRefused, which the command line turns into exit 2,
    before any file is written."""
    chosen = figures_cli.settings_from_args(args)
    produced = clock.utc_now()
    con = db.connect_read_only(args.db)
    try:
        pdf = meeting_pack.meeting_pack_pdf(con, chosen, produced=produced)
    finally:
        con.close()
    path = Path(args.out)
    if path.is_dir():
        path = path / f"meeting_pack_{clock.uk_time(produced):%Y%m%d_%H%M}.pdf"  # named as the pack reads
    path.write_bytes(pdf)
    print(f"wrote {path} ({len(pdf) // 1024} KB)")
    return 0
