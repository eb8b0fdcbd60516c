"""Sign-in for real: the dashboard served by Streamlit with its [auth] pointed at a local OpenID
provider (oidc-provider-mock, on a thread), driven by Playwright in Debian's chromium. A data
officer signs in through the real login redirect, loads a file and approves a decision, and the
audit log names them; a viewer signs in and is offered neither.

The secrets file is written only in a temporary home directory (the server's ~/.streamlit), so
the checkout stays clean. Run alone with: python -m pytest -m e2e tests/test_e2e_signin.py."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import browser_pages
import duckdb
import pytest
from browser_pages import (
    PAGES,
    WAIT_MS,
    axe_script,
    axe_violations,
    cookie_names,
    each_page,
    named_on_the_cookies_page,
    stored_keys,
    unnamed_storage,
)
from playwright.sync_api import Page, expect

from benchmarks import serve as serving
from benchmarks.serve import CHROMIUM
from dashboard import about
from scripts.screenshots import demo_store

pytestmark = pytest.mark.e2e
browser = browser_pages.browser  # the one chromium fixture, shared by the browser tests
OFFICER = "officer@council.example"
VIEWER = "viewer@council.example"


@pytest.fixture(scope="module")
def provider():
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory, provider):
    """(url, store): the app with uploads on and sign-in configured, its secrets in a temp home."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    store = demo_store(tmp_path_factory.mktemp("signin"))
    home = tmp_path_factory.mktemp("home")
    port = serving.free_port()
    (home / ".streamlit").mkdir()
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{os.urandom(24).hex()}"\n'
        'client_id = "partnership-dashboard-test"\n'
        'client_secret = "test-only-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "\n[roles]\n"
        f'data_officers = ["{OFFICER}"]\n',
        encoding="utf-8",
    )
    from pipelines.base import config

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(serving, "free_port", lambda: port)  # the redirect URI above names the port
        with serving.serve(
            config.PROJECT_ROOT / "dashboard" / "app.py", store, env={"HOME": str(home), "PARTNERSHIP_UPLOADS": "1"}
        ) as served:
            assert served.url.endswith(f":{port}")
            yield served.url, store


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def _settled(page: Page) -> None:
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning")


def _sign_in(page: Page, url: str, email: str, at_the_provider=lambda: None) -> None:
    """The sidebar's Sign in button, the provider's form (the subject is the e-mail), back;
    ``at_the_provider`` is called while the provider's form is on screen."""
    page.goto(f"{url}/data")
    page.get_by_role("button", name="Sign in").click()
    form = page.locator("input[name='sub']")
    expect(form).to_be_visible()
    at_the_provider()
    form.fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(url) + "/"))  # back from the provider, signed in
    page.goto(f"{url}/data")
    _settled(page)


def _choose(page: Page, label: str, option: str) -> None:
    """Pick from a selectbox; the click that opens the list is repeated if a rerun swallowed it."""
    _settled(page)
    box = page.get_by_role("combobox", name=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        box.click()
        try:
            expect(choice).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    choice.click()
    expect(box).to_have_value(option)
    _settled(page)


def _audit(store: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT actor, action, subject FROM audit_log ORDER BY seq").fetchall()


def test_a_data_officer_signs_in_loads_a_file_and_approves(signin_server, page, tmp_path):
    url, store = signin_server
    before = len(_audit(store))
    _sign_in(page, url, OFFICER)
    expect(page.get_by_text(f"Signed in as {OFFICER} (data officer).")).to_be_visible()

    # Load a census that differs from the default by one headcount.
    census = (Path(__file__).resolve().parent.parent / "data" / "default" / "census.csv").read_text(encoding="utf-8")
    lines = census.splitlines()
    first = lines[1].split(",")
    first[3] = str(int(first[3]) + 1)
    changed = tmp_path / "census_signin.csv"
    changed.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    _choose(page, "What the file holds", "census")
    report = page.get_by_text(re.compile(r"census_signin\.csv passes"))
    for _ in range(3):  # a redraw for the choice above can drop the file given a moment before it
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(changed))
        try:
            expect(report).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            _settled(page)
    expect(report).to_be_visible()
    page.get_by_role("button", name="Load it").click()
    expect(page.get_by_text(re.compile(r"Loaded \d+ rows\."))).to_be_visible()

    # Approve a saved scenario as the Group's decision.
    page.goto(f"{url}/scenarios")
    page.get_by_text("Approve as the Group's decision (data officers)").click()
    page.get_by_role("button", name="Approve and freeze").click()
    expect(page.get_by_text(re.compile(r"Approved as decision \d+"))).to_be_visible()

    new = _audit(store)[before:]
    assert [(actor, subject) for actor, action, subject in new if action == "load"] == [(OFFICER, "census")], new
    assert [actor for actor, action, _ in new if action == "approve"] == [OFFICER], new
    assert {actor for actor, _, _ in new} == {OFFICER}, new


def test_a_viewer_who_signs_in_gets_no_load_or_approve_controls(signin_server, page):
    url, store = signin_server
    before = _audit(store)
    _sign_in(page, url, VIEWER)
    expect(page.get_by_text(f"Signed in as {VIEWER}, who is not a data officer.")).to_be_visible()
    expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
    expect(page.get_by_role("button", name="Load it")).to_have_count(0)
    page.goto(f"{url}/scenarios")
    page.get_by_text("Approve as the Group's decision (data officers)").click()
    expect(page.get_by_text(f"Signed in as {VIEWER}, who is not a data officer.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve and freeze")).to_have_count(0)
    assert _audit(store) == before


def test_every_page_signed_in_as_a_data_officer_passes_axe(signin_server, page):
    """The same axe-core check as tests/test_e2e_browser.py, on every page as a data officer sees
    it: the sidebar's account line and Sign out, the upload form (uploads on), the approve controls."""
    url, _ = signin_server
    _sign_in(page, url, OFFICER)
    expect(page.get_by_text(f"Signed in as {OFFICER} (data officer).")).to_be_visible()
    script = axe_script()
    found = []
    for name in each_page(page, url):
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        found += axe_violations(page, name, script)
    assert found == [], "\n".join(found)


def test_the_cookies_page_names_the_cookies_of_signing_in_and_out(signin_server, page):
    """With sign-in configured the browser holds, at each step, exactly the cookies the Cookies
    page says are set then: on every visit before signing in, those and the one kept while the
    provider asks who you are, those of a signed-in person once back (every page visited), and
    the every-visit ones again after Sign out. Its storage holds only what the page names."""
    url, _ = signin_server
    cookies, storage = named_on_the_cookies_page(page, url)
    every_visit = cookies[about.EVERY_VISIT]
    assert cookie_names(page) == every_visit
    held_at_the_provider: list[set[str]] = []
    _sign_in(page, url, OFFICER, at_the_provider=lambda: held_at_the_provider.append(cookie_names(page)))
    assert held_at_the_provider == [every_visit | cookies[about.SIGNING_IN]]
    assert list(each_page(page, url)) == list(PAGES)
    _settled(page)
    assert cookie_names(page) == every_visit | cookies[about.SIGNED_IN]
    local, session = stored_keys(page)
    assert unnamed_storage(local + session, storage) == []
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out page
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert cookie_names(page) == every_visit
