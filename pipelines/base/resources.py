"""Where the tool's own files are: the SQL, the default data and the templates are package data
of the installed wheel, and plain folders of a checkout. Both are found the same way here, so
nothing else needs to know which it is running from."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import platformdirs


def installed_folder(package: str, checkout: Path) -> Path:
    """The folder of an installed resource package, or the checkout's folder when the package is
    not installed (tests and scripts run straight from a clone). An editable install maps the
    package onto the checkout's folder, so both answers agree there."""
    try:
        found = importlib.resources.files(package)
    except ModuleNotFoundError:
        return checkout
    return Path(str(found)).resolve()


def user_data_folder(app: str) -> Path:
    """Where an installed tool keeps its store when PARTNERSHIP_DB does not say: the platform's
    per-user data folder (~/.local/share/<app> on Linux, %LOCALAPPDATA%\\<app> on Windows)."""
    return platformdirs.user_data_path(app, appauthor=False)
