"""The command line's name as the person at the keyboard types it, for every help text, message,
page and file that tells them a command to run: `partnership` where this process was started by
one of the wheel's console scripts (`partnership`, or `partnership-dashboard` for the dashboard,
installed beside it), else `python -m pipelines` (a checkout, where the project is not installed
as commands). A wheel user told `python -m pipelines ...` would be told something that works
only inside that program's own environment, under a name they never typed."""

from __future__ import annotations

import re
import sys

INSTALLED = "partnership"
FROM_CHECKOUT = "python -m pipelines"
# The console scripts pyproject.toml installs; either one means `partnership` is on the same path.
CONSOLE_SCRIPTS = ("partnership", "partnership-dashboard")


def _script(argument: str) -> str:
    """A started file's name without its folder or the endings Windows' launchers add."""
    name = re.split(r"[\\/]", argument)[-1].lower()
    return re.sub(r"(\.exe|-script\.pyw?|\.pyw?)$", "", name)


def program() -> str:
    """`partnership` or `python -m pipelines`. The dashboard's launcher hands Streamlit an argv of
    its own, so the file the interpreter was first asked to run (``sys.orig_argv``) is looked at
    as well as ``sys.argv[0]``."""
    started = [*sys.argv[:1], *getattr(sys, "orig_argv", [])[1:2]]
    return INSTALLED if any(_script(argument) in CONSOLE_SCRIPTS for argument in started) else FROM_CHECKOUT


def command(words: str) -> str:
    """A command to run, as the user would type it: ``command("load KIND FILE")``."""
    return f"{program()} {words}"
