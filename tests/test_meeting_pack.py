"""The meeting pack: A4, the figures the Group reads, every page inside the paper, and a picture
that is really there (rendered with PDFium, no system tools)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import duckdb
import polars as pl
import pypdfium2
import pytest
from pypdf import PdfReader

from pipelines.base import clock
from pipelines.cli.main import main
from pipelines.datasets import build_default, districts
from pipelines.outputs import maps, meeting_pack
from pipelines.rules import allocate
from pipelines.rules.allocate import AllocationRefused, AllocationSettings
from pipelines.store import db, provenance
from tests import altair_map

PRODUCED = dt.datetime(2026, 1, 20, 9, 30)
SMALL_SETTINGS = AllocationSettings(total=Decimal("10000"), as_of=dt.date(2025, 9, 1), include_pending=True)


@pytest.fixture
def small(store):
    con = duckdb.connect(str(store), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def norfolk(tmp_path_factory):
    path = tmp_path_factory.mktemp("norfolk") / "s.duckdb"
    build_default.build(path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Table cells wrap; compare with all runs of white space made one space."""
    return re.sub(r"\s+", " ", text)


def _assert_pack_reads(pdf: bytes, con, chosen: AllocationSettings) -> str:
    reader, text = _text(pdf)
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1 and abs(float(page.mediabox.height) - 842) <= 1
    flat = _flat(text)
    frame = allocate.allocate(con, chosen)
    pot = f"£{chosen.total:,.0f}" if chosen.unit == 1 else f"£{chosen.total:,.2f}"
    assert f"£{chosen.total:,.2f}" in flat  # the settings in words
    assert "Total equals the pot" in flat and pot in flat.split("Total equals the pot", 1)[1][:80]
    assert sum(frame["amount"], Decimal(0)) == chosen.total
    for code, name in frame.select("partnership_code", "partnership_name").rows():
        assert code in flat
        assert _flat(name) in flat, name
    census = frame["census_date"][0]
    gaps = meeting_pack.gaps_beside(con, chosen, frame)
    assert gaps.height  # a table to read, not the pack's "no gaps" line
    for code, severity, n in gaps.group_by("code", "severity").len().rows():
        assert re.search(rf"{code} {severity} {n}\b", flat), (code, severity, n)
    assert f"Census date {clock.day_text(census)}" in flat
    assert f"Data version {allocate.data_version(con)}" in flat
    assert "Produced 20 January 2026, 9:30am GMT" in flat
    assert _flat(meeting_pack.exports.ROUNDING_RULE) in flat
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"page {number} of {pages}" in reader.pages[number - 1].extract_text()
    return flat


def _render(pdf: bytes, tmp_path, page: int = 0):
    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=1).to_pil().convert("RGB")
    image.save(tmp_path / f"page{page + 1}.png")
    return image


def _inked_and_coloured(image) -> tuple[float, int]:
    """Share of pixels that are not paper-white, and how many are strongly coloured (map dots)."""
    darkness = image.convert("L").histogram()
    saturation = image.convert("HSV").getchannel("S").histogram()
    return sum(darkness[:230]) / sum(darkness), sum(saturation[100:])


def _characters_inside_the_paper(pdf: bytes) -> None:
    document = pypdfium2.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        text = page.get_textpage()
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            if right > left:  # spaces and line breaks have no box
                assert 0 <= left and right <= width and 0 <= bottom and top <= height, (index, i)


def test_small_pack_is_a4_with_the_figures_and_draws(small, tmp_path):
    pdf = meeting_pack.meeting_pack_pdf(small, SMALL_SETTINGS, produced=PRODUCED)
    assert pdf.startswith(b"%PDF")
    flat = _assert_pack_reads(pdf, small, SMALL_SETTINGS)
    assert "£10,000 " in flat  # whole pounds when the unit is £1
    _characters_inside_the_paper(pdf)
    inked, coloured = _inked_and_coloured(_render(pdf, tmp_path))
    assert inked > 0.02 and coloured > 50


def test_pence_are_shown_when_the_unit_is_a_penny(small):
    chosen = AllocationSettings(total=Decimal("10000.01"), unit=Decimal("0.01"), as_of=dt.date(2025, 9, 1), include_pending=True)
    pdf = meeting_pack.meeting_pack_pdf(small, chosen, produced=PRODUCED)
    flat = _assert_pack_reads(pdf, small, chosen)
    for amount in allocate.allocate(small, chosen)["amount"]:
        assert f"£{amount:,.2f}" in flat


def test_unfunded_partnerships_are_listed_with_their_reason(small):
    chosen = AllocationSettings(total=Decimal("10000"), as_of=dt.date(2025, 9, 1))
    flat = _flat(_text(meeting_pack.meeting_pack_pdf(small, chosen, produced=PRODUCED))[1])
    assert "Not funded" in flat and "P2 South Partnership: accreditation pending since 1 June 2024" in flat


def test_a_refused_allocation_raises_before_any_page(small):
    with pytest.raises(AllocationRefused, match="lump sums"):
        meeting_pack.meeting_pack_pdf(
            small,
            AllocationSettings(total=10000, lump_sum=6000, as_of=dt.date(2025, 9, 1), include_pending=True),
            produced=PRODUCED,
        )


def test_a_long_table_continues_with_its_header_and_huge_sums_stay_on_the_page(small, monkeypatch):
    real = allocate.allocate

    def many(con, chosen):
        one = real(con, chosen).head(1)
        rows = [
            one.with_columns(
                pl.lit(f"P{i:03d}-WITH-A-LONG-CODE").alias("partnership_code"),
                pl.lit(f"Partnership number {i} with a long name that must wrap").alias("partnership_name"),
            )
            for i in range(90)
        ]
        return pl.concat(rows)

    monkeypatch.setattr(meeting_pack.allocate, "allocate", many)
    chosen = AllocationSettings(
        total=Decimal("9999999999.99"), unit=Decimal("0.01"), as_of=dt.date(2025, 9, 1), include_pending=True
    )
    pdf = meeting_pack.meeting_pack_pdf(small, chosen, produced=PRODUCED)
    reader = PdfReader(io.BytesIO(pdf))
    table_pages = [p.extract_text() for p in reader.pages if "WITH-A-LONG-CODE" in p.extract_text()]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert re.search(r"Code\s+Partnership\s+Funded\s+Year 10\s+Amount", text)
    assert all(f"P{i:03d}-WITH-A-LONG-CODE" in "".join(table_pages) for i in range(90))
    _characters_inside_the_paper(pdf)


def test_every_figure_column_is_as_wide_as_its_widest_figure():
    rows = [["Code", "Partnership", "Amount"], ["LONG-PARTNERSHIP-CODE", "A name", "-£9,999,999,999.99"]]
    table = meeting_pack._fitted_table(rows, wrap=1, numeric_from=2, total_row=False)
    size = table._cellStyles[1][2].fontsize
    for column in (0, 2):
        needed = max(meeting_pack.stringWidth(r[column], "Helvetica-Bold", size) for r in rows) + 6
        assert table._colWidths[column] >= needed
    assert sum(table._colWidths) <= meeting_pack.WIDTH + 0.01


def test_norfolk_pack_reads_and_shows_the_map(norfolk, tmp_path):
    chosen = AllocationSettings(total=Decimal("500000"))
    pdf = meeting_pack.meeting_pack_pdf(norfolk, chosen, produced=PRODUCED)
    flat = _assert_pack_reads(pdf, norfolk, chosen)
    assert "school_uncovered" in flat and "Errors" in flat
    _characters_inside_the_paper(pdf)
    inked, coloured = _inked_and_coloured(_render(pdf, tmp_path))
    assert inked > 0.05 and coloured > 500  # the districts and the partnership-coloured dots on page 1


def test_pack_command_writes_the_pdf_and_refuses_like_allocate(store, tmp_path, capsys):
    out = tmp_path / "pack.pdf"
    args = ["pack", "--total", "10000", "--as-of", "2025-09-01", "--include-pending", "--db", str(store)]
    assert main(args + ["--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and "wrote" in capsys.readouterr().out
    assert main(args + ["--out", str(tmp_path)]) == 0
    assert list(tmp_path.glob("meeting_pack_*.pdf"))
    refused = tmp_path / "refused.pdf"
    assert main(args + ["--lump-sum", "6000", "--out", str(refused)]) == 2
    assert "allocation refused" in capsys.readouterr().err and not refused.exists()


def _page_text(pdf: bytes, page: int) -> str:
    return _flat(PdfReader(io.BytesIO(pdf)).pages[page].extract_text())


def test_norfolk_pack_says_on_page_1_what_is_proxy_inferred_or_synthetic(norfolk):
    pdf = meeting_pack.meeting_pack_pdf(norfolk, AllocationSettings(total=Decimal("500000")), produced=PRODUCED)
    status = provenance.data_status(norfolk)
    first = _page_text(pdf, 0)
    warning = provenance.stand_in_warning(status)
    assert warning is not None and _flat(warning) in first
    assert first.index("Stand-in data") < first.index("Settings")  # read before any setting or amount
    for word in (
        "Year 10 figures (proxy)",
        "memberships (inferred)",
        "accreditation (synthetic)",
        "health checks (synthetic)",
        "previous 2008/9 amounts (synthetic)",
    ):
        assert word in first, word
    loaded = clock.uk_text(provenance.last_loaded(status), "never")  # UK time, zone named
    assert f"Data last loaded {loaded}" in first
    # the per-input table, after the files behind the figures
    flat = _flat(_text(pdf)[1])
    section = flat[flat.index("Data status", flat.index("Files behind these figures")) :]
    for r in status.iter_rows(named=True):
        assert re.search(rf"{re.escape(r['input'])} {r['status']} {r['total_rows']:,} ", section), r["input"]
        assert _flat(r["example_note"])[:40] in section
    assert "proxy: a stand-in for the figure the rule asks for" in section
    assert f"Data last loaded {loaded}" in section


def test_small_pack_flags_only_what_its_notes_mark(small):
    pdf = meeting_pack.meeting_pack_pdf(small, SMALL_SETTINGS, produced=PRODUCED)
    first = _page_text(pdf, 0)
    # its previous amounts are noted "test figure"; every other input is unlabelled or real
    assert "Not every figure here is the council's own: previous 2008/9 amounts (synthetic)." in first
    for word in ("(proxy)", "(inferred)", "register (", "Year 10 figures (", "memberships ("):
        assert word not in first, word
    section = _flat(_text(pdf)[1]).split("Data status", 1)[1]
    assert "register unlabelled 9 " in section and "health checks unlabelled 4 unlabelled 3, real 1" in section


def test_no_box_when_every_input_is_the_councils_own(small, monkeypatch):
    real = provenance.data_status
    monkeypatch.setattr(
        meeting_pack.provenance, "data_status", lambda con: real(con).with_columns(pl.lit(False).alias("stand_in"))
    )
    pdf = meeting_pack.meeting_pack_pdf(small, SMALL_SETTINGS, produced=PRODUCED)
    first = _page_text(pdf, 0)
    assert "Stand-in data" not in first and "Not every figure" not in first
    assert "Data last loaded" in first and "Data status" in _flat(_text(pdf)[1])


def _boxes_overlap(a, b, char_width=maps.CODE_CHAR_WIDTH, line_height=maps.CODE_LINE_HEIGHT) -> bool:
    (ta, xa, ya), (tb, xb, yb) = a, b
    return abs(xa - xb) < (len(ta) + len(tb)) * char_width / 2 and abs(ya - yb) < line_height


def test_spread_labels_moves_only_crowded_labels_apart_the_same_way_every_time():
    anchors = [
        ("INF-NORWICH", 300.0, 200.0),
        ("LOC8", 296.0, 196.0),
        ("INF-BROADLAND", 310.0, 203.0),
        ("FAR", 50.0, 50.0),
        ("BESIDE", 420.0, 200.0),
    ]
    placed = maps.spread_labels(anchors)
    assert maps.spread_labels(list(reversed(anchors))) == placed
    assert placed["FAR"] == (50.0, 50.0) and placed["BESIDE"] == (420.0, 200.0)  # clear already: untouched
    labels = [(t, *placed[t]) for t, _, _ in anchors]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _boxes_overlap(a, b), (a, b)
    for text, x, y in anchors:
        assert placed[text][0] == x and abs(placed[text][1] - y) < 30  # moved up or down only, and not far
    assert placed["LOC8"][1] < placed["INF-NORWICH"][1] < placed["INF-BROADLAND"][1]  # order kept


def test_norfolk_map_codes_do_not_overlap_at_the_pages_width(norfolk):
    points = norfolk.sql(
        db.read_sql("reports/map_institutions.sql"), params={"as_of": dt.date(2018, 9, 1), "census_date": dt.date(2018, 1, 18)}
    ).pl()
    outlines = districts.districts_geojson()
    chart = altair_map.institutions_map(points, outlines, height=340)
    codes = chart.layer[3].data
    # the crowded Norwich codes (LOC8's one school is also in DC-NOO, so it is drawn in DC-NOO's colour)
    assert set(codes["partnership"]) >= {"INF-BROADLAND", "INF-NORWICH", "DC-NOO", "DC-NEN", "DC-WENSUM"}
    west, south, east, north = maps.view_extent(  # type: ignore[misc]
        maps.outline_extent(outlines["features"]), points.filter(pl.col("latitude").is_not_null())
    )
    scale = min(maps.NARROWEST_WIDTH / maps.math.radians(east - west), 340 / (maps._mercator_y(north) - maps._mercator_y(south)))
    labels = [
        (code, maps.math.radians(lon) * scale, -maps._mercator_y(lat) * scale)
        for code, lat, lon in codes.select("partnership", "latitude", "longitude").rows()
    ]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _boxes_overlap(a, b), (a[0], b[0])
    # the page's stand-in outline carries the same extent, so the pack spaces them alike
    stand_in = {"type": "Feature", "geometry": None, "bbox": list(maps.outline_extent(outlines["features"]))}
    assert altair_map.institutions_map(points, {"features": [stand_in]}, height=340).layer[3].data.equals(codes)
