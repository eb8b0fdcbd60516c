"""Page pieces used on several pages, drawn the same way everywhere: every table and download
button, the note on what the data is, the overdue-review line, money columns that stay
numbers (sortable, right-aligned), and the table beside every map."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

import polars as pl
import streamlit as st

from dashboard import queries
from dashboard.formatting import MISSING, plain
from pipelines.base import clock
from pipelines.store import provenance


def show(frame: pl.DataFrame, **options: Any) -> Any:
    """Every interactive table the same way: no row numbers (a row number is not a figure) and a
    blank cell shown as MISSING, never as "None". Returns what st.dataframe returns (the
    selection, for a table that can be clicked)."""
    return st.dataframe(frame, hide_index=True, placeholder=MISSING, **options)


def map_table(points: pl.DataFrame, key: str, where: Any = st) -> None:
    """The map as a table, under it (as DfE's dashboards put a table beside every chart): one
    row per point drawn (queries.map_table, from the same call as the map), with what its hover
    shows and the marker it is drawn as, for anyone who cannot see the map or hover on it.
    ``key``: two maps on a page may show the same rows."""
    with where.expander(f"The map as a table: {points.height:,} institutions", icon=":material/table_view:"):
        show(
            points.select(
                pl.col("name").alias("Name"),
                pl.col("kind_label").alias("Kind"),
                pl.col("partnerships").alias("Partnership(s)"),
                pl.col("district").alias("District"),
                pl.col("year10").alias("Year 10"),
                pl.col("marker").alias("Drawn as"),
            ),
            column_config={"Year 10": st.column_config.NumberColumn(format="localized")},
            key=key,
        )


# A file's type and icon by its name's ending, for every download button.
_MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}
_ICON = {".pdf": ":material/picture_as_pdf:"}


def download(where: Any, label: str, data: Any, file_name: str, **options: Any) -> None:
    """A download button in ``where`` (st or a column). A click never reruns the page, so the other
    buttons stay valid; a click during a redraw waits for the redrawn button (download_guard.js)."""
    suffix = PurePath(file_name).suffix.lower()
    where.download_button(
        label,
        data,
        file_name=file_name,
        mime=_MIME[suffix],
        icon=_ICON.get(suffix, ":material/download:"),
        on_click="ignore",
        **options,
    )


def plain_table(frame: pl.DataFrame) -> None:
    """st.table, which reads every cell as Markdown, with each text cell shown as the characters
    it holds: a partnership name, a title or a file name cannot become an image or a link."""
    st.table(
        frame.with_columns(pl.col(c).map_elements(plain, return_dtype=pl.String).fill_null(MISSING) for c in _text_columns(frame))
    )


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, kind in frame.schema.items() if kind == pl.String]


def data_notes(figures: dict | None = None) -> None:
    """What the figures stand on, from the loaded rows' own source notes (never hard-coded)."""
    info = queries.dataset_info()
    status = queries.data_status()
    parts = []
    if info and info.get("name"):
        parts.append(f"Data: {info['name']}.")
    figures = figures or {}
    when = figures.get("as_of")
    if when is not None:
        reference = info.get("reference_date") if info else None
        why = (
            "the data's reference date"
            if when == reference
            else "today"
            if reference is None and when == dt.date.today()
            else "chosen in the sidebar"
        )
        parts.append(f"As of {clock.day_text(when)} ({why}); census {clock.day_text(figures['census_date'])}.")
    parts.append(f"Last loaded {clock.uk_text(provenance.last_loaded(status), 'never')}.")
    st.caption(plain(" ".join(parts)))
    warning = provenance.stand_in_warning(status)
    if warning:
        st.warning(plain(warning) + " See the Data page.", icon=":material/science:")


def reviews_due(reviews: pl.DataFrame) -> None:
    """Accreditation reviews overdue or due soon (queries.reviews_due): one line with a count,
    the list on demand."""
    if not reviews.height:
        return
    st.warning(f"Accreditation review due or overdue for {reviews.height} partnership(s).", icon=":material/event_upcoming:")
    with st.expander(f"The {reviews.height} review(s)"):
        show(
            reviews.select(
                pl.col("partnership_code").alias("Code"),
                pl.col("partnership_name").alias("Partnership"),
                pl.col("detail").alias("Review"),
            )
        )


def money_column(label: str | None = None, *, pence: bool = True, help: str | None = None, width=None):
    """Money shown as a number with separators and, where the unit is pence, two decimals; the
    heading carries the £. Numbers sort as numbers and align right. A loss reads "-5,219.00",
    as pipelines.base.money writes it (Streamlit's "accounting" format would put it in brackets)."""
    return st.column_config.NumberColumn(label, format="localized", step=0.01 if pence else None, help=help, width=width)


def money_config(columns: list[str], pence: bool = True, helps: dict[str, str] | None = None) -> dict:
    """``helps``: a column's longer explanation, shown on its heading."""
    helps = helps or {}
    return {c: money_column(c, pence=pence, help=helps.get(c)) for c in columns}
