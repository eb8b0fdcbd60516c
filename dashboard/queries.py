"""The dashboard's only way into the store: cached, read-only calls into sql/ files,
keyed on the store's data version so a new load shows up without a restart."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipelines import build_default, db, settings


@st.cache_resource(show_spinner="Building the store from the default data ...")
def store_path() -> Path:
    return build_default.ensure_store(settings.DEFAULT_DB)


def _connect() -> duckdb.DuckDBPyConnection:
    return db.connect_read_only(store_path())


def data_version() -> tuple[int, int]:
    """The store file's identity: a load swaps in a new file, so this changes with every load."""
    stat = store_path().stat()
    return stat.st_ino, stat.st_mtime_ns


@st.cache_data(show_spinner=False)
def _query(relative_sql: str, version: tuple[int, int]) -> pl.DataFrame:
    con = _connect()
    try:
        return con.sql(db.read_sql(relative_sql)).pl()
    finally:
        con.close()


def table_counts() -> pl.DataFrame:
    return _query("reports/table_counts.sql", data_version())


def load_log() -> pl.DataFrame:
    return _query("reports/load_log.sql", data_version())
