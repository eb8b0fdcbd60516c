"""Check a file's cells against its layout before anything is written.

Every cell is judged at once with polars expressions, and every problem is reported with
its row, column, value and what was expected, so a 50,000-row file is checked in well under
a second and the data officer sees all that is wrong in one report, not only the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import polars as pl

from pipelines.ingest.layouts import CODE_PATTERN, LAYOUTS, SUPPRESSION_MARKS, Field, Layout
from pipelines.ingest.problems import Problem, Report
from pipelines.ingest.raw_table import ROW, RawTable

DTYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "int": pl.Int64,
    "decimal": pl.Decimal(18, 2),
    "float": pl.Float64,
    "date": pl.Date,
    "bool": pl.Boolean,
    "text": pl.String,
    "choice": pl.String,
    "code": pl.String,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
TRUE_WORDS = ("yes", "y", "true", "1", "met")
FALSE_WORDS = ("no", "n", "false", "0", "not met", "not_met")
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
# Thousands separators only in threes ("1,234,567.50"): anything else with a comma is a typo.
GROUPED_NUMBER = r"^\d{1,3}(,\d{3})+(\.\d+)?$"
# What a numeric cell's message says beyond what was expected: a suppressed figure cannot be
# read, a grouped one is read without its separators.
SUPPRESSED_HINT = " (this figure is suppressed; ask for the real one)"
UNGROUPED = "a number without thousands separators; read as "


def choose_layout(kind: str, file: str, columns: list[str], header_row: int = 1) -> tuple[Layout, dict[str, str], list[Problem]]:
    """Pick the layout whose required columns the header has; otherwise report, against
    the closest layout, which columns are missing and which are not recognised."""
    present = {c.lower(): c for c in columns}
    candidates = LAYOUTS[kind]
    for layout in candidates:
        has_required = all(name.lower() in present for name in layout.required)
        wide_ok = layout.name != "wide" or any(c.startswith("year_") for c in present)
        if has_required and wide_ok and (layout.name != "long" or "headcount" in present):
            return layout, _column_map(layout, present), _unknown_columns(file, layout, columns, header_row)
    best = max(candidates, key=lambda lay: sum(f.name.lower() in present for f in lay.fields))
    problems = [
        Problem(file, header_row, name, None, f"a column named '{name}' ({_describe_layouts(kind)})", "error", "missing_column")
        for name in best.required
        if name.lower() not in present
    ]
    problems += _unknown_columns(file, best, columns, header_row)
    return best, _column_map(best, present), problems


def columns_worth_reading(kind: str, header: list[str]) -> list[str] | None:
    """For a layout that ignores unknown columns (GIAS), only its own columns; otherwise
    all, so that unknown columns can be reported."""
    present = {c.lower(): c for c in header}
    for layout in LAYOUTS[kind]:
        if layout.ignore_unknown and all(name.lower() in present for name in layout.required):
            return [present[f.name.lower()] for f in layout.fields if f.name.lower() in present]
    return None


def _describe_layouts(kind: str) -> str:
    options = [f"{lay.name}: {', '.join(lay.required)}" for lay in LAYOUTS[kind]]
    return "required columns for a " + kind + " file, " + " | ".join(options)


def _column_map(layout: Layout, present: dict[str, str]) -> dict[str, str]:
    return {f.name: present[f.name.lower()] for f in layout.fields if f.name.lower() in present}


def _unknown_columns(file: str, layout: Layout, columns: list[str], header_row: int) -> list[Problem]:
    if layout.ignore_unknown:
        return []
    known = {f.name.lower() for f in layout.fields} | {name.lower() for name in layout.ignored}
    problems = []
    for column in columns:
        if column.lower() in known:
            continue
        expected = next((hint for pattern, hint in layout.hints if re.fullmatch(pattern, column.lower())), None)
        if expected is None:
            close = difflib.get_close_matches(column.lower(), sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(f.name for f in layout.fields)
            expected = f"a known column ({hint})"
        problems.append(Problem(file, header_row, column, column, expected, "error", "unknown_column"))
    return problems


def parse_fields(raw: RawTable, layout: Layout, column_map: dict[str, str], file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed columns named as in the layout, plus the row number; one problem per bad cell."""
    frame = raw.frame
    assert frame is not None
    exprs: list[pl.Expr] = [pl.col(ROW)]
    checks: list[tuple[Field, str, pl.Expr, pl.Expr]] = []
    without_figures = _without_figures(layout, column_map)
    for field in layout.fields:
        source = column_map.get(field.name)
        if source is None:
            exprs.append(pl.lit(None, dtype=DTYPES[field.parse]).alias(field.name))
            continue
        cell = pl.col(source)
        parsed = _parser(field, cell)
        exprs.append(parsed.alias(field.name))
        checks.append((field, source, cell, parsed))
    typed = frame.select(exprs)
    # Each cell is parsed once: the checks look at the raw text beside its parsed value.
    both = pl.concat([frame, typed.drop(ROW).rename(lambda name: TYPED + name)], how="horizontal")
    flags = (
        both.select(
            _flag(field, pl.col(source), pl.col(TYPED + field.name), _blank_allowed(field, layout, without_figures))
            .any()
            .alias(field.name)
            for field, source, _, _ in checks
        ).row(0, named=True)
        if checks
        else {}
    )
    problems: list[Problem] = []
    for field, source, cell, _ in checks:
        if flags[field.name]:
            blank_allowed = _blank_allowed(field, layout, without_figures)
            problems.extend(_cell_problems(both, file, field, source, cell, pl.col(TYPED + field.name), blank_allowed))
    return typed, problems


TYPED = "__typed_"  # prefix of the parsed copy of each column while checking


def _without_figures(layout: Layout, column_map: dict[str, str]) -> pl.Expr:
    """True on a row where none of the layout's figure columns the file has is filled."""
    present = [column_map[name] for name in layout.figures if name in column_map]
    return pl.all_horizontal(pl.col(source).is_null() for source in present) if present else pl.lit(False)


def _blank_allowed(field: Field, layout: Layout, without_figures: pl.Expr) -> pl.Expr:
    """Where a blank cell of the column is no fault: anywhere if it is nullable; for a figure
    column (Layout.figures), on a row with no figures at all."""
    if field.nullable:
        return pl.lit(True)
    return without_figures if field.name in layout.figures else pl.lit(False)


def _flag(field: Field, cell: pl.Expr, parsed: pl.Expr, blank_allowed: pl.Expr) -> pl.Expr:
    """True for a cell that needs a message (the cheap pass over every cell)."""
    condition = (cell.is_not_null() & parsed.is_null()) | _out_of_range(field, parsed)
    condition = condition | (cell.is_null() & ~blank_allowed)
    if field.parse in ("int", "decimal", "float"):
        condition = condition | cell.str.contains(",", literal=True).fill_null(False)
    return condition


def _parser(field: Field, cell: pl.Expr) -> pl.Expr:
    text = cell.str.strip_chars()
    if field.parse == "int":
        plain = pl.when(text.str.contains(r"^\d{1,3}(,\d{3})+$")).then(text.str.replace_all(",", "")).otherwise(text)
        return plain.str.replace(r"^(-?\d+)\.0+$", "${1}").cast(pl.Int64, strict=False)
    if field.parse == "decimal":
        plain = text.str.replace(r"^£", "").str.strip_chars()
        plain = pl.when(plain.str.contains(GROUPED_NUMBER)).then(plain.str.replace_all(",", "")).otherwise(plain)
        return pl.when(plain.str.contains(r"^-?\d+(\.\d{1,2})?$")).then(plain).cast(pl.Decimal(18, 2), strict=False)
    if field.parse == "float":
        return text.cast(pl.Float64, strict=False)
    if field.parse == "date":
        bare = text.str.replace(r"[ T]00:00(:00(\.0+)?)?$", "")
        parsed = pl.coalesce([bare.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS])
        return pl.when(parsed.is_between(EARLIEST, LATEST)).then(parsed)
    if field.parse == "bool":
        lower = text.str.to_lowercase()
        return pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False).otherwise(None)
    if field.parse == "choice":
        normal = text.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        return pl.when(normal.is_in(field.choices)).then(normal)
    if field.parse == "code":
        return pl.when(text.str.contains(f"^{CODE_PATTERN}$")).then(text)
    return text


def _bounds(field: Field) -> str:
    """ " from 0 to 3000", as the layout declares it."""
    low = "" if field.minimum is None else f" from {_plain(field.minimum)}"
    high = "" if field.maximum is None else f" to {_plain(field.maximum)}"
    return low + high


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _expected(field: Field) -> str:
    if field.parse == "int":
        return f"a whole number{_bounds(field)}"
    if field.parse == "decimal":
        return f"an amount in pounds{_bounds(field)} with at most two decimal places, e.g. 12345.67"
    if field.parse == "float":
        what = f" ({field.description})" if field.description else ""
        return f"a number{_bounds(field)}{what}"
    if field.parse == "date":
        return "a real date as YYYY-MM-DD or DD/MM/YYYY"
    if field.parse == "bool":
        return "yes or no"
    if field.parse == "choice":
        return "one of: " + ", ".join(field.choices)
    if field.parse == "code":
        return "a code of letters, digits, '-' or '_' (at most 32, no spaces)"
    return "some text"


def _cell_problems(
    frame: pl.DataFrame, file: str, field: Field, source: str, cell: pl.Expr, parsed: pl.Expr, blank_allowed: pl.Expr
) -> list[Problem]:
    numeric = field.parse in ("int", "decimal", "float")
    flags = frame.select(
        pl.col(ROW),
        cell.alias("value"),
        (cell.is_null() & ~blank_allowed).alias("blank"),
        (cell.is_not_null() & parsed.is_null()).alias("bad"),
        _out_of_range(field, parsed).alias("range"),
        (cell.str.contains(GROUPED_NUMBER) if numeric else pl.lit(False)).alias("thousands"),
    ).filter(pl.col("blank") | pl.col("bad") | pl.col("range") | pl.col("thousands"))
    expected = _expected(field)
    blank_hint = (
        " (the cell is blank; if the figure was suppressed, ask for the real one)"
        if numeric
        else " (the cell is blank, or holds only spaces or invisible characters)"
    )
    problems = []
    for row, value, blank, bad, out_of_range, thousands in flags.iter_rows():
        if blank:
            problems.append(Problem(file, row, source, None, expected + blank_hint, "error", "blank"))
        elif bad and numeric and value.strip().lower() in SUPPRESSION_MARKS:
            problems.append(Problem(file, row, source, value, expected + SUPPRESSED_HINT, "error", "suppressed"))
        elif bad or out_of_range:
            problems.append(Problem(file, row, source, value, expected, "error", "type" if bad else "range"))
        elif thousands:
            problems.append(Problem(file, row, source, value, UNGROUPED + value.replace(",", ""), "warning", "thousands"))
    return problems


def _out_of_range(field: Field, parsed: pl.Expr) -> pl.Expr:
    condition = pl.lit(False)
    if field.minimum is not None:
        condition = condition | (parsed < field.minimum)
    if field.maximum is not None:
        condition = condition | (parsed > field.maximum)
    return condition.fill_null(False)


def duplicate_problems(typed: pl.DataFrame, file: str, keys: list[str], column: str, what: str) -> list[Problem]:
    """Rows whose key repeats an earlier row; each names the earlier row."""
    complete = typed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    first = complete.group_by(keys).agg(pl.col(ROW).min().alias("first_row"))
    repeats = complete.join(first, on=keys, nulls_equal=True).filter(pl.col(ROW) != pl.col("first_row"))
    return [
        Problem(file, row, column, str(value), f"{what} once (already on row {first_row})", "error", "duplicate")
        for row, value, first_row in repeats.select(ROW, column, "first_row").sort(ROW).iter_rows()
    ]


def validate_table(kind: str, raw: RawTable, file: str) -> tuple[Report, Layout | None, pl.DataFrame | None]:
    """Header and cell checks common to every kind; the kind's own rules run afterwards."""
    report = Report(file=file, kind=kind, problems=list(raw.problems))
    if raw.frame is None:
        return report, None, None
    report.rows = raw.frame.height
    if raw.frame.height == 0:
        report.add(Problem(file, None, None, None, "at least one data row (the file has only a header)", "error", "empty"))
        return report, None, None
    layout, column_map, header_problems = choose_layout(kind, file, raw.columns, raw.header_row)
    report.layout = layout.name
    report.extend(header_problems)
    if any(p.check == "missing_column" for p in header_problems):
        return report, layout, None
    typed, cell_problems = parse_fields(raw, layout, column_map, file)
    report.extend(cell_problems)
    return report, layout, typed
