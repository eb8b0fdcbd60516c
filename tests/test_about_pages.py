"""The About pages (Accessibility, Support, Cookies), run headless with AppTest: the support
contact the council sets under [support] is shown on both pages that give it, or a plain word
that none is set; the statement gives the day it was last tested as people write it; and the
facts the pages state hold (the axe-core version to the bundled script, no usage statistics).
What cookies a browser really holds is checked in a browser: tests/test_e2e_signin.py."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest
from test_dashboard import fresh_caches, open_page  # noqa: F401 - fixtures

from dashboard import about, launch
from dashboard.formatting import plain
from pipelines.base import clock, config

CONTACT = {
    "name": "Education data team",
    "email": "education.data@council.example",
    "phone": "01603 222222",
    "hours": "Monday to Friday, 9am to 5pm",
}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def _with_contact(store, monkeypatch, page: str, contact: dict | None) -> AppTest:
    """The page as the server shows it with this [support] table in its secrets (None: no table)."""
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(str(config.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    if contact is not None:
        app.secrets["support"] = contact
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_the_support_page_gives_the_contact_the_council_set(store, monkeypatch):
    app = _with_contact(store, monkeypatch, "support", CONTACT)
    text = _markdown(app)
    assert "**Education data team**" in text
    assert "Email: [education\\.data@council\\.example](mailto:education.data@council.example)" in text
    assert "Telephone: 01603 222222" in text
    assert "Opening hours: Monday to Friday, 9am to 5pm" in text
    assert not [i for i in app.info if "has not set a support contact" in i.value]


def test_the_accessibility_statement_gives_the_same_contact(store, monkeypatch):
    app = _with_contact(store, monkeypatch, "accessibility", CONTACT)
    text = _markdown(app)
    assert "**Education data team**" in text and "mailto:education.data@council.example" in text
    assert "Telephone: 01603 222222" in text


def test_with_no_contact_set_both_pages_say_so_plainly(store, monkeypatch):
    support = _with_contact(store, monkeypatch, "support", None)
    assert [i.value for i in support.info] == [plain(about.NO_CONTACT)]
    assert "Email:" not in _markdown(support)
    statement = _with_contact(store, monkeypatch, "accessibility", {"name": " ", "email": ""})  # blank is unset
    assert "has not set a support contact for this dashboard yet" in _markdown(statement)
    assert "Email:" not in _markdown(statement)


def test_a_contact_is_shown_as_written_not_as_markdown(store, monkeypatch):
    app = _with_contact(store, monkeypatch, "support", {"name": "Data *team* [x](http://elsewhere.example)"})
    text = _markdown(app)
    assert f"**{plain('Data *team* [x](http://elsewhere.example)')}**" in text
    assert "](http://elsewhere.example)" not in text
    assert "Email:" not in text and "Telephone:" not in text


def test_the_support_page_says_where_the_figures_come_from(store, monkeypatch):
    app = open_page(store, monkeypatch, "support")
    text = _markdown(app)
    assert "Data last loaded" in text
    assert "Report a figure that looks wrong" in [h.value for h in app.header]
    assert "the page's link" in text and "the decision's number" in text


def test_the_statement_says_when_it_was_last_tested_in_words(store, monkeypatch):
    app = open_page(store, monkeypatch, "accessibility")
    text = _markdown(app)
    [day] = re.findall(rf"This dashboard was last tested on (\d{{1,2}} (?:{MONTHS}) \d{{4}})\.", text)
    assert day == clock.day_text(about.LAST_TESTED) == "7 December 2026"
    assert f"axe-core {about.AXE_CORE_VERSION}" in text
    assert [t.value for t in app.title] == ["Accessibility statement for the 14-19 partnerships dashboard"]
    assert "Preparation of this accessibility statement" in [h.value for h in app.header]


def test_the_axe_core_the_statement_names_is_the_one_the_tests_run():
    import axe_playwright_python

    script = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    assert re.match(r"/\*! axe v(\S+)", script)[1] == about.AXE_CORE_VERSION  # type: ignore[index]


def test_the_cookies_page_lists_every_cookie_and_says_there_are_no_analytics(store, monkeypatch):
    app = open_page(store, monkeypatch, "cookies")
    text = _markdown(app)
    for item in (*about.COOKIES, *about.LOCAL_STORAGE):
        assert f"| `{item.name}` |" in text, item.name
    assert "No analytics" in [h.value for h in app.header]
    # What the page says of usage statistics, in both ways the dashboard is started.
    shipped = tomllib.loads((config.PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert shipped["browser"]["gatherUsageStats"] is False
    assert "--browser.gatherUsageStats=false" in launch.config_flags()


def test_a_name_with_a_varying_part_matches_only_its_own_keys():
    theme = about.Stored("stActiveTheme-<page address>-v2", "", "", "")
    assert theme.pattern().fullmatch("stActiveTheme-/allocation-v2")
    assert not theme.pattern().fullmatch("stActiveTheme-/allocation-v3")
    assert not about.Stored("stSidebarSectionsState-", "", "", "").pattern().fullmatch("stSidebarSectionsState-x")
