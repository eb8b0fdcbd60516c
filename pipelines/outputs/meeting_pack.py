"""The meeting pack: one A4 PDF with the map, the allocation and the gaps at the chosen settings.

The Strategy Group's papers go out before the meeting, so the pack must stand on its own: it
says which settings and which data made it, and it draws the same map as the dashboard without
a browser or a network (Vega-Lite rendered by vl-convert, laid out by ReportLab's platypus).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.sax.saxutils import escape

import altair as alt
import duckdb
import polars as pl
import vl_convert
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipelines.base import clock, invocation
from pipelines.base.money import pounds
from pipelines.datasets import districts
from pipelines.outputs import exports
from pipelines.outputs.maps import map_spec
from pipelines.rules import allocate, plan
from pipelines.rules.allocate import AllocationSettings
from pipelines.store import audit_chain, db, provenance

TITLE = "14-19 partnership funding: meeting pack"
MARGIN = 15 * mm
FRAME_PADDING = 6  # platypus frames keep 6 pt inside the margins
LEFT = MARGIN + FRAME_PADDING
WIDTH = A4[0] - 2 * LEFT
MAP_SCALE = 3  # pixels per Vega pixel: sharp when printed, about 0.7 s to draw

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=9.5, spaceBefore=0, spaceAfter=0)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName="Helvetica-Bold")
H1 = ParagraphStyle("h1", parent=_STYLES["Title"], fontSize=17, leading=21, alignment=0, spaceAfter=2)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12.5, leading=15, spaceBefore=8, spaceAfter=4)
GRID = colors.HexColor("#BBBBBB")
HEADER_FILL = colors.HexColor("#E8EEF4")
WARNING_FILL = colors.HexColor("#FFF1D6")
WARNING_EDGE = colors.HexColor("#B35900")


def meeting_pack_pdf(con: duckdb.DuckDBPyConnection, chosen: AllocationSettings, *, produced: dt.datetime) -> bytes:
    """Raises AllocationRefused, as the allocation itself would, so callers show one message.
    With a membership plan, every section (map, gaps, allocation) is of the plan's draft map."""
    anchor = audit_chain.anchor(con)  # the store's own log, whatever map the pack is of
    with plan.draft(con, chosen.changes, chosen.as_of) as on_map:
        return _pack(on_map, chosen, produced, anchor)


def gaps_beside(con: duckdb.DuckDBPyConnection, chosen: AllocationSettings, frame: pl.DataFrame) -> pl.DataFrame:
    """The gaps the pack shows beside the allocation ``frame``: on the census and day it settled
    on, so every page of the pack describes the same data even where the defaults would resolve
    differently."""
    return allocate.coverage_gaps(
        con,
        as_of=frame["as_of"][0],
        census_date=frame["census_date"][0],
        include_pending=chosen.include_pending,
        treat_as_accredited=chosen.treat_as_accredited,
    )


def _pack(con: duckdb.DuckDBPyConnection, chosen: AllocationSettings, produced: dt.datetime, anchor: audit_chain.Anchor) -> bytes:
    frame = allocate.allocate(con, chosen)
    # The map too is of the census and day the allocation settled on (see gaps_beside).
    census_date, as_of = frame["census_date"][0], frame["as_of"][0]
    gaps = gaps_beside(con, chosen, frame)
    points = con.sql(db.read_sql("reports/map_institutions.sql"), params={"as_of": as_of, "census_date": census_date}).pl()
    version = allocate.data_version(con)
    files = allocate.loaded_files(con)
    status = provenance.data_status(con)
    dataset = allocate.dataset_name(con)

    story = [
        Paragraph(TITLE, H1),
        _facts(
            [
                *([("Data", dataset)] if dataset else []),
                ("Census date", clock.day_text(census_date)),
                ("Memberships as of", clock.day_text(as_of)),
                ("Data version", version),
                ("Produced", clock.uk_text(produced)),
                ("Data last loaded", clock.uk_text(provenance.last_loaded(status), "never")),
                ("Audit log", anchor.text()),
            ]
        ),
        *_stand_in_box(status),
        Paragraph("Settings", H2),
        _facts(chosen.describe(), columns=1),
        *_map_section(points, gaps, districts.outlines_for_map(con)),
        PageBreak(),
        Paragraph("Allocation", H2),
        _allocation_table(frame, chosen, allocate.summarise(con, frame)),
        *_unfunded(frame),
        *_protected(frame),
        Paragraph("Rounding rule", H2),
        Paragraph(escape(exports.ROUNDING_RULE), BODY),
        Paragraph("Coverage gaps", H2),
        *_gaps_section(gaps),
        Paragraph("Files behind these figures", H2),
        _files_table(files),
        *_status_section(status),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=TITLE,
        subject=(f"{dataset}; " if dataset else "")
        + f"data version {version}; census {clock.day_text(census_date)}; as of {clock.day_text(as_of)}",
        creator="partnership-funding",
        invariant=True,
    )
    footer = f"{TITLE}  |  data version {version}  |  produced {clock.uk_text(produced)}"
    document.build(story, canvasmaker=lambda *args, **kwargs: _NumberedCanvas(*args, footer=footer, **kwargs))
    return buffer.getvalue()


class _NumberedCanvas(Canvas):
    """Holds every page until the end, because "page x of y" needs y before page 1 is written."""

    def __init__(self, *args, footer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(LEFT, MARGIN - 2 * mm, self._footer)
            self.drawRightString(A4[0] - LEFT, MARGIN - 2 * mm, f"page {self._pageNumber} of {len(self._pages)}")
            super().showPage()
        super().save()


def _cell(text: object, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _table(
    rows: list[list], widths: list[float], *, numeric_from: int | None = None, total_row: bool = False, font_size: float = 8
) -> Table:
    """A table that wraps its text to the page width and repeats its header on every page."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if numeric_from is not None:
        style.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if total_row:
        style += [("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"), ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black)]
    table.setStyle(TableStyle(style))
    return table


def _facts(pairs: list[tuple[str, str]], columns: int = 2) -> Table:
    cells = [[_cell(label, CELL_BOLD), _cell(value)] for label, value in pairs]
    rows = [sum(cells[i : i + columns], []) for i in range(0, len(cells), columns)]
    rows[-1] += [""] * (2 * columns - len(rows[-1]))
    label_width = 52 * mm if columns == 1 else 32 * mm
    widths = [label_width, WIDTH / columns - label_width] * columns
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
            ]
        )
    )
    return table


def _map_section(points: pl.DataFrame, gaps: pl.DataFrame, outlines: dict) -> list:
    flagged = set(gaps.filter(pl.col("severity") == "error")["institution_id"].drop_nulls().to_list())
    png = map_png(points, outlines, flagged)
    unplaced = points.filter(pl.col("latitude").is_null()).height
    note = (
        "Institutions coloured by partnership; a triangle with a heavy outline is a school with a coverage gap "
        "(in no partnership or in several) or an institution named in an error below; squares are colleges and "
        "providers."
    )
    if unplaced:
        note += f" {unplaced} institution(s) without a location are not drawn."
    return [
        CondPageBreak(_FittedImage.MIN_HEIGHT + 60),
        Paragraph("Map", H2),
        Paragraph(escape(note), BODY),
        Spacer(1, 4),
        _FittedImage(png),
    ]


class _FittedImage(Flowable):
    """The map as large as the rest of the page allows, so it shares page 1 with the settings;
    with less than MIN_HEIGHT left it goes whole to the next page instead of shrinking further."""

    MIN_HEIGHT = 300

    def __init__(self, png: bytes):
        super().__init__()
        self._png = png
        self._pixels = ImageReader(io.BytesIO(png)).getSize()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        aspect = self._pixels[1] / self._pixels[0]
        height = min(available_width * aspect, max(available_height, self.MIN_HEIGHT))
        self.width, self.height = height / aspect, height
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(ImageReader(io.BytesIO(self._png)), 0, 0, self.width, self.height)


def map_png(points: pl.DataFrame, districts_collection: dict, flagged: set[int]) -> bytes:
    """The dashboard's map at a fixed width (a page has no container to fill) with the legends
    below it, so the map gets the page's full width; drawn offline.

    The spec is written around a stand-in for the outlines (see pipelines.outputs.maps.map_spec)."""
    spec = map_spec(
        points,
        districts_collection,
        height=340,
        highlight=flagged,
        width=520,
        legend={"orient": "bottom", "direction": "vertical"},
    )
    version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])  # "v6.4.1" -> "v6_4"
    return vl_convert.vegalite_to_png(spec, vl_version=version, scale=MAP_SCALE)


def _allocation_table(frame: pl.DataFrame, chosen: AllocationSettings, summary: dict) -> Table:
    pence = chosen.unit == Decimal("0.01")
    whole = all(y == y.to_integral_value() for y in frame["year10"])
    year10 = (lambda y: f"{y:,.0f}") if whole else (lambda y: f"{y:,.1f}")
    rows: list[list] = [["Code", "Partnership", "Funded", "Year 10", "Amount", "Days/wk", "Previous", "Change"]]
    for r in frame.iter_rows(named=True):
        rows.append(
            [
                r["partnership_code"],
                r["partnership_name"],
                "yes" if r["funded"] else "no",
                year10(r["year10"]),
                pounds(r["amount"], pence),
                f"{r['days_per_week']:,.2f}",
                pounds(r["previous_amount"], pence),
                pounds(r["change"], pence),
            ]
        )
    total = summary["amount_total"]
    if summary["top_slice"]:
        rows.append([exports.TOP_SLICE_CODE, exports.TOP_SLICE_NAME, "", "", pounds(summary["top_slice"], pence), "", "", ""])
        total = summary["pot_total"]
    rows.append(
        [
            "Total",
            "equals the pot" if summary["pot_total"] == chosen.total else "DOES NOT EQUAL the pot",
            "",
            year10(summary["year10_all_partnerships"]),
            pounds(total, pence),
            "",
            pounds(summary["previous_total"], pence) if summary["previous_total"] is not None else "",
            pounds(summary["change_total"], pence) if summary["change_total"] is not None else "",
        ]
    )
    return _fitted_table(rows, wrap=1, numeric_from=3, total_row=True)


def _fitted_table(rows: list[list[str]], *, wrap: int, numeric_from: int, total_row: bool) -> Table:
    """Every column but one as wide as its widest cell, so no figure is cut or wrapped; the
    wrap column (names) takes what is left. Big pots in pence shrink the type before a
    name column gets too narrow to read."""
    for size in (8, 7.5, 7, 6.5, 6):
        widths = [max(stringWidth(str(row[c]), "Helvetica-Bold", size) for row in rows) + 7 for c in range(len(rows[0]))]
        widths[wrap] = WIDTH - sum(widths) + widths[wrap]
        if widths[wrap] >= 38 * mm:
            break
    style = ParagraphStyle(f"cell{size}", parent=CELL, fontSize=size, leading=size + 1.5)
    bold = ParagraphStyle(f"cell_bold{size}", parent=style, fontName="Helvetica-Bold")
    emphasis = {0, len(rows) - 1} if total_row else {0}
    cells = [
        [_cell(v, bold if i in emphasis else style) if c == wrap else v for c, v in enumerate(row)] for i, row in enumerate(rows)
    ]
    return _table(cells, widths, numeric_from=numeric_from, total_row=total_row, font_size=size)


def _unfunded(frame: pl.DataFrame) -> list:
    unfunded = frame.filter(~pl.col("funded"))
    if not unfunded.height:
        return [Spacer(1, 4), Paragraph("Every partnership is funded.", BODY)]
    items = []
    for r in unfunded.iter_rows(named=True):
        reason = r["funding_reason"].removeprefix("not funded: ")
        items.append(f"<b>{escape(r['partnership_code'])}</b> {escape(r['partnership_name'])}: {escape(reason)}")
    return [Paragraph("Not funded", H2), *[Paragraph(item, BODY, bulletText="\u2022") for item in items]]


def _protected(frame: pl.DataFrame) -> list:
    """What transition protection did, partnership by partnership, in the allocation's own words
    (sql/macros/049_protection_note.sql); nothing when no partnership is held at a bound."""
    protected = frame.filter(pl.col("protection_note").is_not_null())
    items = [
        f"<b>{escape(r['partnership_code'])}</b> {escape(r['partnership_name'])}: {escape(r['protection_note'])}"
        for r in protected.iter_rows(named=True)
    ]
    if not items:
        return []
    return [Paragraph("Transition protection", H2), *[Paragraph(item, BODY, bulletText="\u2022") for item in items]]


def _gaps_section(gaps: pl.DataFrame) -> list:
    if not gaps.height:
        return [Paragraph("No coverage gaps at these settings.", BODY)]
    counts = gaps.group_by("code", "severity").len().sort("severity", "code")
    rows = [["Gap code", "Severity", "Count"]] + [[code, severity, str(n)] for code, severity, n in counts.rows()]
    errors = gaps.filter(pl.col("severity") == "error").sort("code", "partnership_code", "institution_name", nulls_last=True)
    parts = [
        _table(rows, [70 * mm, 30 * mm, 20 * mm], numeric_from=2),
        Spacer(1, 6),
        Paragraph(
            f"{errors.height} error(s) and {gaps.height - errors.height} warning(s). "
            f"Warnings are listed on the dashboard's gaps page and in <i>{invocation.command('gaps')}</i>.",
            BODY,
        ),
    ]
    if errors.height:
        listed = [[_cell(h, CELL_BOLD) for h in ("Code", "Partnership", "Institution", "Detail", "What to do")]]
        for r in errors.iter_rows(named=True):
            listed.append(
                [
                    _cell(r["code"]),
                    _cell(r["partnership_code"] or "-"),
                    _cell(r["institution_name"] or "-"),
                    _cell(r["detail"]),
                    _cell(r["action"]),
                ]
            )
        widths = [33 * mm, 24 * mm, 38 * mm, 50 * mm, 0]
        widths[-1] = WIDTH - sum(widths)
        parts += [Paragraph("Errors", H2), _table(listed, widths)]
    return parts


def _files_table(files: pl.DataFrame) -> Table:
    rows = [["Kind", "File", "Rows", "Loaded at", "sha256 (first 12)"]]
    for r in files.iter_rows(named=True):
        rows.append(
            [
                r["kind"],
                _cell(r["file_name"]),
                f"{r['rows']:,}",
                clock.uk_text(r["loaded_at"]),
                r["sha256"][:12],
            ]
        )
    return _table(rows, [35 * mm, 60 * mm, 15 * mm, 30 * mm, WIDTH - 140 * mm])


def _stand_in_box(status: pl.DataFrame) -> list:
    """On page 1, under the title: which inputs are proxy, inferred or synthetic, before anyone
    reads an amount. Nothing when every input is real or the council's own file."""
    warning = provenance.stand_in_warning(status)
    if warning is None:
        return []
    text = (
        f"<font name='Helvetica-Bold' size='10'>Stand-in data: not for payment as it stands.</font> "
        f"{escape(warning)} Each input's status is under <i>Data status</i> on the last page."
    )
    box = Table([[Paragraph(text, BODY)]], colWidths=[WIDTH], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), WARNING_FILL),
                ("BOX", (0, 0), (-1, -1), 1.5, WARNING_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [Spacer(1, 5), box]


def _status_section(status: pl.DataFrame) -> list:
    """Per input, how far it can be trusted (read from its own source notes), with what each
    status word means: the detail behind the box on page 1."""
    rows = [["Input", "Status", "Rows", "By status", "Example source note"]]
    for r in status.iter_rows(named=True):
        rows.append(
            [
                _cell(r["input"]),
                r["status"] or "none loaded",
                f"{r['total_rows']:,}",
                _cell(r["breakdown"] or "-"),
                _cell(r["example_note"] or "-"),
            ]
        )
    table = _table(rows, [34 * mm, 19 * mm, 13 * mm, 34 * mm, WIDTH - 100 * mm], font_size=8)
    table.setStyle(
        TableStyle(
            [("ALIGN", (2, 0), (2, -1), "RIGHT")]
            + [
                ("BACKGROUND", (1, i), (1, i), WARNING_FILL)
                for i, r in enumerate(status.iter_rows(named=True), start=1)
                if r["stand_in"]
            ]
        )
    )
    meanings = status.filter(pl.col("status").is_not_null()).unique("status", keep="first", maintain_order=True)
    # Kept on one page (a few rows), so the box on page 1 can send the reader to the last page.
    return [
        KeepTogether(
            [
                Paragraph("Data status", H2),
                Paragraph(
                    f"Read from each input's own source notes. Data last loaded "
                    f"{escape(clock.uk_text(provenance.last_loaded(status), 'never'))}.",
                    BODY,
                ),
                Spacer(1, 4),
                table,
                Spacer(1, 4),
                *[
                    Paragraph(f"<b>{escape(r['status'])}</b>: {escape(r['meaning'])}", BODY, bulletText="\u2022")
                    for r in meanings.iter_rows(named=True)
                ],
            ]
        )
    ]
