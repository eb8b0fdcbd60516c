"""`partnership-dashboard`: start the dashboard from an installed wheel as `streamlit run
dashboard/app.py` does in a checkout. Streamlit reads .streamlit/config.toml only from the
current folder, so the shipped settings (headless, no usage statistics, upload size, error
details, theme) are passed as flags instead; options given on the command line come after them
and win (e.g. `partnership-dashboard --server.port 8080`).

Streamlit's own log lines are given the tool's format and zone here, before Streamlit is imported:
every log record gets its UTC stamp, and Streamlit a message format that prints it (see
pipelines/base/logs.py)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pipelines.base import logs
from pipelines.base.resources import installed_folder

APP = Path(__file__).resolve().parent / "app.py"
CONFIG = installed_folder("partnership_streamlit", Path(__file__).resolve().parent.parent / ".streamlit") / "config.toml"


def config_flags(config: Path = CONFIG) -> list[str]:
    """The shipped config.toml as `--section.option=value` flags, in the file's order."""
    settings = tomllib.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
    flags = []
    for section, options in settings.items():
        for option, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{option}={text}")
    return flags


def streamlit_argv(given: list[str]) -> list[str]:
    """What Streamlit is started with: the shipped settings, the tool's log format, then the
    options given (which win)."""
    return ["streamlit", "run", str(APP), *config_flags(), f"--logger.messageFormat={logs.STREAMLIT_FORMAT}", *given]


def main(argv: list[str] | None = None) -> int:
    logs.stamp_records()  # before Streamlit logs a line in the format that prints the stamp
    from streamlit.web import cli

    sys.argv = streamlit_argv(sys.argv[1:] if argv is None else argv)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
