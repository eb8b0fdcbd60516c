"""What each page's gap count counts, worked out and said in one place.

The same map gave 9 on the Overview, 31 on the Plan page and 37 on Coverage gaps, with nothing
to say why: the Overview counts schools in no partnership or in several, the Plan page the gaps a
membership change can close (a school in several partnerships counted once), Coverage gaps every
row of every kind. Each page now names what its count is, in these words, and the pages that
work out every gap say the three together (sql/plan/gap_tally.sql)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.rules import plan_compare


def _n(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def schools_text(uncovered: int, in_several: int) -> str:
    """The Overview's count: schools that are not a full member of exactly one partnership."""
    schools = _n(uncovered + in_several, "school", "schools")
    return f"{schools} in no partnership or in several ({uncovered:,} in none, {in_several:,} in several)"


def overview_note(uncovered: int, in_several: int) -> str:
    """The Overview's count and what the other pages count instead, in words only: the Overview
    does not work out every gap (its first draw stays quick)."""
    return (
        f"{schools_text(uncovered, in_several)}. The Plan page counts the gaps a membership change could close "
        "(colleges and providers in no partnership, partnerships without a college and schools far from their "
        "partnership too), and Coverage gaps every gap row of every kind, warnings included, with a row for each "
        "partnership of a school in several."
    )


@dataclass(frozen=True)
class GapTally:
    gap_rows: int
    warning_rows: int
    gaps: int
    closable: int
    schools_uncovered: int
    schools_in_several: int

    def schools(self) -> str:
        return schools_text(self.schools_uncovered, self.schools_in_several)

    def closable_text(self) -> str:
        return _n(self.closable, "gap a membership change could close", "gaps a membership change could close")

    def plan_count(self, listed: int) -> str:
        """The Plan page's count, and how many of those gaps it lists with suggestions. One form
        whatever the numbers: it sits above buttons, and words that wrap onto another line after
        a click would move them under the pointer between two quick clicks."""
        return f"{self.closable_text()}, {listed:,} with suggestions below."

    def rows_text(self) -> str:
        return _n(self.gap_rows, "gap row of every kind", "gap rows of every kind")

    def why_they_differ(self) -> str:
        """The three counts side by side, each with the page that shows it."""
        return (
            f"The pages count different things on this map: the Overview {self.schools()}; the Plan page "
            f"{self.closable_text()}, a school counted once however many rows show it; Coverage gaps "
            f"{self.rows_text()}, {self.warning_rows:,} of them warnings, with a row for each partnership of a "
            "school in several."
        )


def gap_tally(con: duckdb.DuckDBPyConnection, gaps: pl.DataFrame) -> GapTally:
    """The counts of one map's gaps (``gaps``: the coverage_gaps output)."""
    row = plan_compare.over_frames(con, "plan/gap_tally.sql", gaps=gaps).row(0, named=True)
    return GapTally(**{k: int(v) for k, v in row.items()})
