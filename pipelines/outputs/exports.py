"""Files for finance: the allocation (and the gaps) as CSV and XLSX.

CSV: UTF-8 with a byte-order mark so Excel opens it with the right characters, one row per
partnership and no total row (so it can be summed and re-read), the settings and data version
repeated on every row, and text cells that Excel would run as a formula made inert.
XLSX: the same rows, money formatted as pounds, a total row equal to the pot with the data status
(and the stand-in warning, when there is one) under it, and an "About" sheet with the settings,
the files loaded (name, sha256, date), the rounding rule and the time.
Both carry where the audit log stood when they were made ("audit log: N entries, head ..."), so
a copy kept elsewhere can later show whether the store's log has lost or rewritten entries since
(``python -m pipelines audit --anchor N:HEX``; see pipelines/store/audit_chain.py).
Both say what the figures are (real, proxy, inferred, synthetic, unlabelled; see
pipelines/store/provenance.py) and when the data was last loaded, because a file that travels on to
finance has to carry that itself.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from pipelines.base import clock, config, csv_out
from pipelines.base.money import pounds
from pipelines.rules.allocate import AllocationSettings
from pipelines.store import provenance
from pipelines.store.audit_chain import Anchor

if TYPE_CHECKING:
    import xlsxwriter

# Stored times are UTC; a reader sees UK time with GMT or BST after it (pipelines.base.clock).

# Largest remainder's one surprise, in the one sentence said wherever the rounding rule is read:
# the About sheet of every workbook (a decision's too), a decision's page, the meeting pack, and the
# Allocation page's note and its rounding unit's help.
ALABAMA_PARADOX = (
    "A bigger pot can give one partnership one rounding unit less than a smaller pot did, never more: "
    "the Alabama paradox of largest remainder (Year 10 of 6, 6 and 2 gets £4, £4 and £2 of £10 but £5, £5 and £1 "
    "of £11)."
)

ROUNDING_RULE = (
    "Each funded partnership's share is (total - lump sums) x its Year 10 / all funded Year 10, plus its lump sum. "
    "Shares are rounded down to the rounding unit and the units left over go one each to the largest remainders, "
    "ties to the lowest partnership code (largest remainder / Hamilton method), so the amounts add up exactly to the "
    "total. All money is computed in whole units (pence or pounds), never in floating point. " + ALABAMA_PARADOX
)

# The labels of what the figures are, in every workbook (and the CSV's column), and read back from
# a decision's frozen workbook by frozen_status.
READ_FIRST, DATA_STATUS = "Read first", "Data status"
# The store's dataset name: which authority, scheme and census the figures are of.
DATASET = "Dataset"

# (column in the allocation frame, header, kind) - kind: text, money, number, percent, bool, date
ALLOCATION_COLUMNS = (
    ("partnership_code", "Partnership code", "text"),
    ("partnership_name", "Partnership", "text"),
    ("funded", "Funded", "bool"),
    ("funding_reason", "Funding status", "text"),
    ("year10", "Year 10 learners (proxy)", "number"),
    ("share_percent", "Share (%)", "percent"),
    ("amount", "Amount (£)", "money"),
    ("exact_amount", "Exact share before rounding (£)", "money4"),
    ("days_per_week", "Manager days per week", "number"),
    ("fte", "Manager FTE", "number"),
    ("previous_amount", "Previous, 2008/9 basis (£)", "money"),
    ("change", "Change from previous (£)", "money"),
    ("protection_note", "Transition protection", "text"),
    ("protection_effect", "Protection against the Year 10 share (£)", "money"),
)
# How the county's top-slice is named wherever it stands as a line beside the partnerships.
TOP_SLICE_CODE, TOP_SLICE_NAME = config.TOP_SLICE_CODE, config.TOP_SLICE_NAME


def with_top_slice(frame: pl.DataFrame) -> pl.DataFrame:
    """The allocation with the county's top-slice as its own last line, so the amounts in a file
    add up to the pot; unchanged when there is none."""
    top_slice = frame["top_slice"][0] if "top_slice" in frame.columns and frame.height else None
    if not top_slice:
        return frame
    line = pl.DataFrame(
        {
            "partnership_code": [TOP_SLICE_CODE],
            "partnership_name": [f"{TOP_SLICE_NAME} (taken off the pot first)"],
            "funding_reason": ["the county's share for strategic support"],
            "amount": [top_slice],
        },
        schema={
            "partnership_code": pl.String,
            "partnership_name": pl.String,
            "funding_reason": pl.String,
            "amount": frame.schema["amount"],
        },
    )
    return pl.concat([frame, line], how="diagonal_relaxed")


GAP_COLUMNS = (
    ("code", "Code", "text"),
    ("severity", "Severity", "text"),
    ("partnership_code", "Partnership code", "text"),
    ("partnership_name", "Partnership", "text"),
    ("institution_id", "URN/UKPRN", "number"),
    ("institution_name", "Institution", "text"),
    ("district", "District", "text"),
    ("detail", "Detail", "text"),
    ("action", "What to do", "text"),
)


def _cell(value: object, kind: str) -> object:
    """A CSV cell: text as text (csv_out guards it), a number as the number."""
    if value is None or kind not in ("text", "bool"):
        return value
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def settings_columns(
    chosen: AllocationSettings, census_date: dt.date, as_of: dt.date, data_version: str
) -> list[tuple[str, str]]:
    return [
        ("Census date", census_date.isoformat()),
        ("Memberships as of", as_of.isoformat()),
        ("Total pot (£)", str(chosen.total)),
        ("Lump sum (£)", str(chosen.lump_sum)),
        ("Rounding unit (£)", str(chosen.unit)),
        ("Pending counts as funded", "yes" if chosen.include_pending else "no"),
        ("Treated as accredited", " ".join(chosen.treat_as_accredited)),
        ("Day rate (£)", str(chosen.day_rate)),
        ("Weeks per year", str(chosen.weeks_per_year)),
        ("Top-slice (£)", str(chosen.top_slice) if chosen.top_slice_pct is None else ""),
        ("Top-slice (% of the pot)", "" if chosen.top_slice_pct is None else str(chosen.top_slice_pct)),
        ("Loss limit (%)", "" if chosen.protect_loss is None else str(chosen.protect_loss)),
        ("Gain limit (%)", "" if chosen.protect_gain is None else str(chosen.protect_gain)),
        ("Manager cost (£ a year)", "" if chosen.manager_cost is None else str(chosen.manager_cost)),
        ("Data version", data_version),
        # Only a what-if on a draft map has this column: finance never pays from one, and a
        # file that has it says so on every row.
        *([("Membership plan (DRAFT, not loaded)", "; ".join(c.describe() for c in chosen.changes))] if chosen.changes else []),
    ]


def allocation_csv(
    frame: pl.DataFrame,
    chosen: AllocationSettings,
    data_version: str,
    *,
    data_status: pl.DataFrame,
    audit_anchor: Anchor,
    dataset: str | None = None,
) -> bytes:
    """``dataset``: the store's dataset name (which authority, scheme and census), on every row."""
    census_date, as_of = frame["census_date"][0], frame["as_of"][0]
    extra = (
        [(DATASET, dataset or "")]
        + settings_columns(chosen, census_date, as_of, data_version)
        + [
            (DATA_STATUS, provenance.data_status_line(data_status)),
            ("Data last loaded", _last_loaded_text(data_status)),
            ("Audit log", audit_anchor.text()),
        ]
    )
    rows = _table_rows(ALLOCATION_COLUMNS, with_top_slice(frame))
    rows[0] += [name for name, _ in extra]
    for row in rows[1:]:
        row += [v for _, v in extra]
    return csv_out.rows_csv(rows)


def _table_rows(columns, frame: pl.DataFrame) -> list[list[object]]:
    """The header, then one row of cells per record (made formula-safe as they are written)."""
    return [[h for _, h, _ in columns]] + [[_cell(r[c], kind) for c, _, kind in columns] for r in frame.iter_rows(named=True)]


def gaps_csv(frame: pl.DataFrame, dataset: str | None = None) -> bytes:
    """``dataset``: the store's dataset name, on every row as in the allocation CSV, so a list of
    gaps sent on says which authority's and which census's it is."""
    rows = _table_rows(GAP_COLUMNS, frame)
    rows[0].append(DATASET)
    for row in rows[1:]:
        row.append(dataset or "")
    return csv_out.rows_csv(rows)


AUDIT_COLUMNS = (
    ("seq", "Entry", "number"),
    ("recorded_at", "Recorded at", "time"),
    ("actor", "Who", "text"),
    ("action", "Action", "text"),
    ("subject", "Subject", "text"),
    ("detail", "Detail", "text"),
    ("entry_hash", "Entry hash (sha256, chained)", "text"),
)


def audit_csv(frame: pl.DataFrame) -> bytes:
    return csv_out.rows_csv(_table_rows(AUDIT_COLUMNS, frame.sort("seq")))


def _formats(book: xlsxwriter.Workbook) -> dict[str, object]:
    return {
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}),
        "money": book.add_format({"num_format": "£#,##0.00"}),
        "money4": book.add_format({"num_format": "£#,##0.0000"}),
        "number": book.add_format({"num_format": "#,##0.####"}),
        "percent": book.add_format({"num_format": "0.0000"}),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_money": book.add_format({"bold": True, "top": 1, "num_format": "£#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "warning": book.add_format(
            {"text_wrap": True, "valign": "top", "bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"}
        ),
        "warning_line": book.add_format({"bold": True, "font_color": "#9C0006"}),
        "bold": book.add_format({"bold": True}),
    }


def _table_sheet(book: xlsxwriter.Workbook, name: str, columns, frame: pl.DataFrame, formats: dict):
    """A sheet with a header row and one row per record, each cell typed by its column's kind."""
    sheet = book.add_worksheet(name)
    for col, (_, header, _) in enumerate(columns):
        sheet.write_string(0, col, header, formats["header"])
    for row, record in enumerate(frame.iter_rows(named=True), start=1):
        for col, (column, _, kind) in enumerate(columns):
            _write_value(sheet, row, col, record[column], kind, formats)
    return sheet


def _write_value(sheet, row: int, col: int, value: object, kind: str, formats: dict) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    elif kind == "text":
        sheet.write_string(row, col, str(value))  # always a string cell: never run as a formula
    elif kind == "bool":
        sheet.write_string(row, col, "yes" if value else "no")
    elif kind == "date":
        assert isinstance(value, dt.date), f"a date column holds {value!r}"
        sheet.write_string(row, col, value.isoformat())
    else:
        # Excel stores numbers as doubles: amounts to the penny are exact at this size.
        assert isinstance(value, (int, float, Decimal)), f"a number column holds {value!r}"
        sheet.write_number(row, col, float(value), formats.get(kind))


def allocation_xlsx(
    frame: pl.DataFrame,
    chosen: AllocationSettings,
    data_version: str,
    files: pl.DataFrame,
    produced_at: dt.datetime,
    *,
    data_status: pl.DataFrame,
    audit_anchor: Anchor,
    dataset: str | None = None,
) -> bytes:
    """``dataset``: the store's dataset name, in the workbook's title and on its About sheet."""
    import xlsxwriter  # here, not at the top: every dashboard page imports this module, few make a workbook

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": _titled("14-19 partnership allocation", dataset), "created": produced_at})
    formats = _formats(book)
    lines = with_top_slice(frame)
    sheet = _table_sheet(book, "Allocation", ALLOCATION_COLUMNS, lines, formats)
    total_row = lines.height + 1
    amount_col = [c for c, _, _ in ALLOCATION_COLUMNS].index("amount")
    total = sum((Decimal(a) for a in lines["amount"]), Decimal("0"))
    sheet.write_string(total_row, 0, "Total", formats["total"])
    column_letter = xlsxwriter.utility.xl_col_to_name(amount_col)
    sheet.write_formula(
        total_row, amount_col, f"=SUM({column_letter}2:{column_letter}{total_row})", formats["total_money"], float(total)
    )
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 48)
    sheet.set_column(4, len(ALLOCATION_COLUMNS) - 1, 16)
    sheet.freeze_panes(1, 2)
    _status_under_table(sheet, formats, data_status, total_row + 2)
    _about_sheet(book, formats, frame, chosen, data_version, files, produced_at, total, data_status, audit_anchor, dataset)
    book.close()
    return buffer.getvalue()


def _titled(title: str, dataset: str | None) -> str:
    return f"{title}: {dataset}" if dataset else title


def _about_sheet(
    book, formats, frame, chosen, data_version, files, produced_at, total, data_status, audit_anchor, dataset
) -> None:
    about = book.add_worksheet("About")
    about.set_column(0, 0, 38)
    about.set_column(1, 1, 70)
    about.set_column(2, 4, 22)
    census_date, as_of = frame["census_date"][0], frame["as_of"][0]
    warning = provenance.stand_in_warning(data_status)
    lines = [
        ("14-19 partnership allocation", ""),
        *([(READ_FIRST, warning)] if warning else []),
        *([(DATASET, dataset)] if dataset else []),
        ("Produced", clock.iso_text(produced_at)),
        ("Data last loaded", _last_loaded_text(data_status)),
        ("Census date used", census_date.isoformat()),
        ("Memberships and accreditation as of", as_of.isoformat()),
        *chosen.describe(),
        ("Sum of amounts", f"{pounds(total)} (equals the total pot)" if total == chosen.total else f"{pounds(total)}"),
        ("Data version", data_version),
        ("Audit log", audit_anchor.text()),
        ("Check the audit log against this file", audit_anchor.check_command()),
        ("Rounding rule", ROUNDING_RULE),
    ]
    row = 0
    for label, value in lines:
        about.write_string(row, 0, label, formats["header"] if row == 0 or label == READ_FIRST else None)
        about.write_string(row, 1, value, formats["warning"] if label == READ_FIRST else formats["wrap"])
        row += 1
    row = _data_status_section(about, formats, data_status, row + 1) + 1
    about.write_string(row, 0, "Files loaded", formats["header"])
    for col, header in enumerate(("Kind", "File", "sha256", "Rows", "Loaded at")):
        about.write_string(row + 1, col, header, formats["header"])
    for offset, record in enumerate(files.iter_rows(named=True), start=row + 2):
        about.write_string(offset, 0, record["kind"])
        about.write_string(offset, 1, record["file_name"])
        about.write_string(offset, 2, record["sha256"])
        about.write_number(offset, 3, record["rows"])
        about.write_string(offset, 4, clock.iso_text(record["loaded_at"]))


def _status_under_table(sheet, formats: dict, data_status: pl.DataFrame, row: int) -> None:
    """Under the total, after a blank row, what the figures are: the warning when any input is a
    stand-in, then the status line the CSV has on every row. Below the table, so its header row
    and its total stay where finance reads them; one line each (not wrapped), running on across
    the empty cells to the right."""
    warning = provenance.stand_in_warning(data_status)
    if warning:
        sheet.write_string(row, 0, READ_FIRST, formats["warning_line"])
        sheet.write_string(row, 1, warning, formats["warning_line"])
        row += 1
    sheet.write_string(row, 0, DATA_STATUS, formats["bold"])
    sheet.write_string(row, 1, provenance.data_status_line(data_status))


DATA_STATUS_HEADERS = ("Input", "Status", "Rows with this status", "All rows", "Every status", "Example source note")


def _data_status_section(about, formats, data_status: pl.DataFrame, row: int) -> int:
    """The per-input status table; returns the first free row after it."""
    about.write_string(row, 0, DATA_STATUS, formats["header"])
    about.write_string(row, 1, provenance.data_status_line(data_status), formats["wrap"])
    for col, header in enumerate(DATA_STATUS_HEADERS):
        about.write_string(row + 1, col, header, formats["header"])
    row += 2
    for record in data_status.iter_rows(named=True):
        status = f"{record['status']}: {record['meaning']}" if record["status"] else "none loaded"
        about.write_string(row, 0, record["input"])
        about.write_string(row, 1, status, formats["wrap"])
        about.write_number(row, 2, record["rows"])
        about.write_number(row, 3, record["total_rows"])
        _write_value(about, row, 4, record["breakdown"], "text", formats)
        _write_value(about, row, 5, record["example_note"], "text", formats)
        row += 1
    return row


@dataclass(frozen=True)
class FrozenStatus:
    """What a workbook said its figures were when it was made: ``line`` the data status, and
    ``warning`` the stand-in sentence (None when no input was a stand-in). ``line`` is None for a
    workbook made before workbooks carried the status: then nothing is known, and nothing is
    put in its place."""

    line: str | None
    warning: str | None


def frozen_status(xlsx: bytes) -> FrozenStatus:
    """Read back from a workbook this module made (a decision's frozen file) the status of the
    data it was made on, as its About sheet says it: the data in the store now may be another."""
    import fastexcel  # here, not at the top: only a decision's page reads a workbook back

    about = fastexcel.read_excel(xlsx).load_sheet("About", header_row=None, dtypes="string", use_columns=[0, 1])
    said = {label: value or None for label, value in about.to_polars().iter_rows() if label}
    return FrozenStatus(line=said.get(DATA_STATUS), warning=said.get(READ_FIRST))


def gaps_xlsx(frame: pl.DataFrame, produced_at: dt.datetime, dataset: str | None = None) -> bytes:
    import xlsxwriter  # see allocation_xlsx

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": _titled("14-19 coverage gaps", dataset), "created": produced_at})
    formats = _formats(book)
    sheet = _table_sheet(book, "Gaps", GAP_COLUMNS, frame, formats)
    sheet.set_column(0, 3, 20)
    sheet.set_column(4, 6, 16)
    sheet.set_column(7, 8, 60)
    book.close()
    return buffer.getvalue()


def allocation_filename(chosen: AllocationSettings, census_date: dt.date, extension: str) -> str:
    total = f"{chosen.total:.2f}".replace(".00", "")
    draft = "DRAFT-PLAN_" if chosen.changes else ""
    return f"{draft}allocation_total-{total}_census-{census_date.isoformat()}.{extension}"


def _last_loaded_text(data_status: pl.DataFrame) -> str:
    return clock.iso_text(provenance.last_loaded(data_status), "never")
