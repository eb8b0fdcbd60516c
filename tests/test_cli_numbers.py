"""Numbers on the command line and in links, whatever is typed: a flag that cannot be used stops
the command with exit 2 and one line naming the flag, what it got and what it expects; nothing
ends in a traceback. The cases of the outside review, then a property over every numeric flag of
allocate, approve, pack, plan, gaps and suggest and every link parameter."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
from examples import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.cli import figures_cli
from pipelines.cli.main import _parser, main
from pipelines.outputs import records
from pipelines.rules import links

AS_OF = "2025-09-01"
SETTINGS = ["--include-pending", "--as-of", AS_OF]
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [A-Z]+ ")
PLAN_HEADER = "change,partnership_code,member_id,role,partnership_name,into_code\n"


def run(argv: list[str]) -> tuple[int, list[str]]:
    """Exit code and the lines on stderr that are not log lines, as a person sees them. An
    exception out of main() (a traceback) fails the test as it is."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's refusal of a flag
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, [line for line in err.getvalue().splitlines() if line.strip() and not LOG_LINE.match(line)]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["allocate", "--total", "10000", "--weeks", "abc"], "--weeks: got 'abc'; expected a number of weeks between 1 and 52"),
        (["allocate", "--total", "10000", "--weeks", "0"], "--weeks: got '0'; expected a number of weeks between 1 and 52"),
        (["allocate", "--total", "10000", "--protect-gain", "1e30"], "--protect-gain: got '1e30'; expected a percentage"),
        (["approve", "--total", "10000", "--by", "Jo", "--protect-gain", "1e30"], "--protect-gain: got '1e30'"),
        (["allocate", "--total", "10000", "--protect-gain", "1000000"], "expected a percentage from 0 to 10,000"),
        (
            ["approve", "--scenario", "99999999999999999999999", "--by", "Jo"],
            "--scenario: got '99999999999999999999999'; expected a whole number from 1 to",
        ),
        (["approve", "--total", "-5", "--by", "Jo"], "--total: got '-5'; expected an amount of £0 or more"),
        (["allocate", "--total", "171310.01", *SETTINGS], "the total £171,310.01 is not a whole number of rounding units"),
        (["gaps", "--travel-km", "nan"], "--travel-km: got 'nan'; expected a number of km from 0 to 1,500"),
        (["suggest", "--alternatives", "١"], "--alternatives: got '١'; expected a whole number from 1 to 10"),
    ],
)
def test_a_number_that_cannot_be_used_is_one_line_and_exit_2(store, argv, says):
    before = store.read_bytes()
    code, lines = run([*argv, "--db", str(store)])
    assert code == 2 and len(lines) == 1 and says in lines[0], (code, lines)
    assert "link" not in lines[0] and "default" not in lines[0]  # there is no link on the command line
    assert "Decimal(" not in lines[0]
    assert store.read_bytes() == before


def test_a_gain_limit_up_to_the_declared_maximum_allocates(store):
    code, lines = run(["allocate", "--total", "10000", *SETTINGS, "--protect-gain", "10000", "--db", str(store)])
    assert (code, lines) == (0, [])


def test_a_plan_merging_two_partnerships_into_each_other_names_each_row_once(store, tmp_path):
    changes = tmp_path / "loop.csv"
    changes.write_text(PLAN_HEADER + "merge,P1,,,,P2\nmerge,P2,,,,P1\n")
    code, lines = run(["plan", "--changes", str(changes), "--as-of", AS_OF, "--db", str(store)])
    assert code == 2
    assert not any("row row" in line for line in lines), lines
    said = " ".join(lines)
    assert "(row 2 merges P1)" in said and "(row 3 merges P2)" in said, lines


def test_a_missing_scenario_is_refused_like_any_name_of_what_is_not_there(store):
    code, lines = run(["approve", "--scenario", "7", "--by", "Jo", "--db", str(store)])
    assert code == 2 and lines == ["approval refused: there is no scenario 7; nothing was recorded"]


# --- the property: every numeric flag, every link parameter, whatever is typed --------------------

EDGES = [
    "",
    " ",
    "\t",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "sNaN",
    "1e30",
    "1E+30",
    "-0",
    "0",
    "-5",
    "²",
    "١٢",
    "１２",
    "1_000",
    "9" * 5000,
    "99999999999999999999999",
    "0.001",
    "1,00",
    "£5",
    "5%",
    " 7 ",
    "0x10",
    "10000",
    "10001",
    "52",
    "1500",
]
TYPED = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=24),
    st.from_regex(r"\A[-+]?[0-9]{1,40}(\.[0-9]{1,6})?\Z"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)
SETTINGS_FLAGS = [
    "--total",
    "--lump-sum",
    "--day-rate",
    "--weeks",
    "--top-slice",
    "--top-slice-pct",
    "--protect-loss",
    "--protect-gain",
    "--manager-cost",
]
# (command, flag): every numeric flag of the commands that take one. pack and plan read the
# settings flags with the same parser entries and settings_from_args as allocate; each of their
# runs takes seconds (a PDF; gaps and money before and after), so they are run on the extremes
# below and checked on the random values up to the settings they would run with.
RUN = (
    [(command, flag) for command in ("allocate", "approve") for flag in SETTINGS_FLAGS]
    + [(command, "--travel-km") for command in ("gaps", "suggest")]
    + [("suggest", "--alternatives"), ("approve", "--scenario")]
)
READ = [(command, flag) for command in ("pack", "plan") for flag in SETTINGS_FLAGS] + [("plan", "--travel-km")]
# Each range's ends, a few at once: the largest pot with the smallest staffing divisors; the
# widest protection; nothing to share, the smallest manager cost and the whole pot top-sliced.
EXTREMES = {
    "largest": ["--total", "10000000000", "--day-rate", "0.01", "--weeks", "1"],
    "widest": ["--total", "10000", "--protect-gain", "10000", "--protect-loss", "100"],
    "smallest": ["--total", "0", "--manager-cost", "0.01", "--top-slice-pct", "100", "--lump-sum", "0"],
}
TRAVEL = {"largest": "1500", "widest": "25", "smallest": "0"}


@pytest.fixture(scope="module")
def workspace(small_store_template, tmp_path_factory) -> Path:
    """A store with one saved scenario, a plan file and a place for the pack (module-scoped:
    hypothesis runs many examples in one test)."""
    folder = tmp_path_factory.mktemp("numbers")
    shutil.copyfile(small_store_template, folder / "store.duckdb")
    records.save_scenario(folder / "store.duckdb", "Ten thousand", {"total": "10000", "pending": "1", "asof": AS_OF}, "Chair")
    (folder / "plan.csv").write_text(PLAN_HEADER + "add,P2,100006,,,\n")
    return folder


def _argv(folder: Path, command: str, flag: str, value: str) -> list[str]:
    base = {
        "allocate": ["allocate", *SETTINGS],
        "pack": ["pack", *SETTINGS, "--out", str(folder / "pack.pdf")],
        "plan": ["plan", "--changes", str(folder / "plan.csv"), *SETTINGS],
        "approve": ["approve", "--by", "Chair"] + ([] if flag == "--scenario" else SETTINGS),
        "gaps": ["gaps", "--as-of", AS_OF],
        "suggest": ["suggest", "--as-of", AS_OF],
    }[command]
    total = [] if flag in ("--total", "--scenario") or command in ("gaps", "suggest") else ["--total", "10000"]
    return [*base, *total, f"{flag}={value}", "--db", str(folder / "store.duckdb")]


@given(use=st.sampled_from(RUN), value=TYPED)
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_numeric_flag_exits_0_or_2_with_one_line(workspace, use, value):
    code, lines = run(_argv(workspace, *use, value))
    assert code in (0, 2), (use, value, code, lines)
    if code == 2:
        assert len(lines) == 1 and len(lines[0]) < 400, (use, value, lines)


@given(use=st.sampled_from(READ), value=TYPED)
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_pack_and_plan_read_every_numeric_flag_or_refuse_it_in_one_line(workspace, use, value):
    argv = _argv(workspace, *use, value)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exit_:
            assert exit_.code == 2 and len(err.getvalue().strip().splitlines()) == 1, (use, value, err.getvalue())
            return
    if args.total is None:  # plan's default pot, as plan_command sets it
        args.total = "500000"
    figures_cli.settings_from_args(args)  # the settings the command would run with: no refusal left


@pytest.mark.parametrize("command", ["pack", "plan"])
@pytest.mark.parametrize("ends", EXTREMES)
def test_pack_and_plan_run_on_the_ends_of_every_range(workspace, command, ends):
    travel = ["--travel-km", TRAVEL[ends]] if command == "plan" else []
    argv = _argv(workspace, command, *EXTREMES[ends][:2])
    code, lines = run([*argv[:-2], *EXTREMES[ends][2:], *travel, *argv[-2:]])
    assert (code, lines) == (0, []), (code, lines)


@given(key=st.sampled_from(links.KEYS), value=TYPED)
@settings(max_examples=examples(400), deadline=None)
def test_every_link_parameter_gives_a_value_or_a_note(key, value):
    chosen, notes = links.from_query({"total": "10000", key: value})
    assert all("\n" not in note and len(note) < 400 for note in notes), notes
    if not notes:  # the value was taken: the link written for the settings reopens them exactly
        assert links.from_query(links.to_query(chosen)) == (chosen, [])


@given(value=TYPED)
@settings(max_examples=examples(200), deadline=None)
def test_record_numbers_in_a_link_give_a_number_or_a_note(value):
    found, notes = links.record_ids(value, {1, 2, 3}, "scenario", 3)
    parts = [p for p in value.split(",") if p.strip()]
    assert set(found) <= {1, 2, 3} and len(found) + len(notes) >= min(len(parts), 1)
    assert all(len(note) < 200 for note in notes)


def test_money_in_refusals_has_separators(store):
    code, lines = run(["allocate", "--total", "1000000", "--lump-sum", "600000.50", "--unit", "1", *SETTINGS, "--db", str(store)])
    assert code == 2 and "£600,000.50" in lines[0], lines
