"""Fingerprints of a store, to prove a failed load changed nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def table_checksums(db_path: Path) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted rows of every base table."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        sums = {}
        for table in tables:
            rows = sorted(map(repr, con.execute(f'SELECT * FROM "{table}"').fetchall()))
            sums[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return sums
    finally:
        con.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
