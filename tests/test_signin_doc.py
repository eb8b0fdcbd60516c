"""docs/sign-in.md says where the Sign in button is, and the dashboard puts it there: in the
sidebar of every page, uploads on or off."""

from __future__ import annotations

import re

from doc_blocks import section
from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures

from pipelines.base import config

SIGN_IN_DOC = config.PROJECT_ROOT / "docs" / "sign-in.md"
PAGES = sorted(p.stem for p in (config.PROJECT_ROOT / "dashboard" / "app_pages").glob("*.py") if p.stem != "__init__")


def test_the_guide_puts_the_sign_in_button_where_the_dashboard_does(store, monkeypatch):
    steps = " ".join(section(SIGN_IN_DOC, "Pointing it at Microsoft Entra ID").split())
    [where] = re.findall(r"The \*\*Sign in\*\* button is ([^;.]+)", steps)
    assert where == "in the sidebar of every page, whether or not uploads are switched on"
    assert len(PAGES) == 11
    for page in PAGES:
        app = open_page(store, monkeypatch, page, user={"is_logged_in": False}, auth=True)
        assert [b.label for b in app.sidebar.button if b.key == "sign_in"] == ["Sign in"], page
        assert not [b for b in app.main.button if b.label == "Sign in"], page
