"""What a loader says about a file: every problem with its row, column, value and what was
expected, gathered into one report so the data officer fixes a file in one pass."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipelines.base import config
from pipelines.base.refusals import Refused


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) a file.

    ``row`` is the spreadsheet row as Excel shows it: the header is row 1, so the first
    data row is row 2. ``None`` means the problem is about the whole file or a column."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"  # error | warning | info (worth knowing, not a fault)
    check: str = "value"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        got = "" if self.value is None else f"got {self.value!r}; "
        return f"{self.severity.upper()}: {', '.join(where)}: {got}expected {self.expected}"


@dataclass
class Report:
    """All problems of one file. A file with any error is not loaded."""

    file: str
    kind: str
    layout: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def format(self, limit_per_column: int = config.REPORT_LIMIT_PER_COLUMN) -> str:
        """A readable report; long runs of the same problem in one column are summarised."""
        lines = [
            f"{self.file}: {self.kind} file ({self.layout or 'layout unknown'}), {self.rows} data rows: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        ]
        shown: Counter[tuple[str | None, str, str]] = Counter()
        hidden: Counter[tuple[str | None, str, str]] = Counter()
        for problem in sorted(self.problems, key=_order):
            key = (problem.column, problem.check, problem.severity)
            if shown[key] < limit_per_column:
                shown[key] += 1
                lines.append(f"  {problem}")
            else:
                hidden[key] += 1
        for (column, check, severity), count in hidden.items():
            lines.append(f"  ... and {count} more {severity}(s) of the same kind ({check}) in column '{column}'")
        return "\n".join(lines)


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _order(problem: Problem) -> tuple[int, int, str]:
    return (SEVERITY_ORDER[problem.severity], problem.row or 0, problem.column or "")


# Every check a load runs, in the order a report lists them (Problem.check values).
CHECKS = {
    "size": "file size",
    "empty": "not empty",
    "format": "file format",
    "encoding": "text encoding",
    "sheets": "one sheet",
    "merged": "no merged cells",
    "formula": "values, not formulas",
    "hidden": "no hidden rows or columns",
    "shape": "rows as wide as the header",
    "header": "header cells named once",
    "missing_column": "required columns present",
    "unknown_column": "no unknown columns",
    "blank": "no blank required cells",
    "suppressed": "no suppressed figures",
    "type": "values of the right type",
    "range": "values in range",
    "thousands": "numbers without separators",
    "blank_row": "no blank rows",
    "duplicate": "no duplicate keys",
    "value": "values consistent across columns",
    "coordinates": "positions in Great Britain",
    "member": "members in the register",
    "closed_member": "members open",
    "partnership": "partnerships known",
    "decision": "decisions loaded",
    "unknown_urn": "census schools in the register",
    "no_figures": "census rows with year figures",
    "gias_type": "GIAS types known",
    "partial_census": "a new census as full as the latest",
    "one_row": "exactly one row",
    "store": "accepted by the store",
}


def check_summary(report: Report) -> list[tuple[str, str, int]]:
    """(check, outcome, problems) for every check: pass, warning or fail."""
    worst: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for problem in report.problems:
        counts[problem.check] += 1
        if problem.severity == "error":
            worst[problem.check] = "fail"
        elif problem.severity == "warning" and worst.get(problem.check) != "fail":
            worst[problem.check] = "warning"
    return [(label, worst.get(check, "pass"), counts[check]) for check, label in CHECKS.items()]


class ValidationFailed(Refused):
    """Raised when a file has errors; carries the full report."""

    def __init__(self, report: Report):
        super().__init__(report.format())
        self.report = report
