"""What the service says about itself on the About pages (Accessibility, Support, Cookies): the
facts those pages state, declared once here so a test can hold each to the truth (the axe-core
version to the bundled script, the cookies to what a browser holds), and the support contact the
council sets in the secrets file, which the Support page and the accessibility statement both give."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote

from dashboard import access
from dashboard.formatting import plain

# When the pages were last checked, declared rather than worked out: the statement must say the
# day the checks were run, not the day it is read. Moved on whenever the checks are run again.
LAST_TESTED = dt.date(2026, 12, 7)
STATEMENT_PREPARED = dt.date(2026, 12, 7)
# The checker the tests run (bundled in the axe-playwright-python wheel; a test compares them).
AXE_CORE_VERSION = "4.12.1"
WCAG_VERSION = "2.2"

# --- the support contact ------------------------------------------------------------------------

SUPPORT_SECTION = "support"
# The settings of [support] in .streamlit/secrets.toml, in the order a contact is written.
SUPPORT_FIELDS = ("name", "email", "phone", "hours")
NO_CONTACT = (
    "The council has not set a support contact for this dashboard yet. Whoever runs the dashboard's "
    "server sets it in the [support] section of the dashboard's secrets file, secrets.toml "
    "(name, email, phone and hours; the README says how)."
)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    hours: str


def support_contact() -> Contact | None:
    """The contact the council set, or None when [support] gives none of its settings: a page
    then says so plainly instead of showing an empty address."""
    table = access.secret_table(SUPPORT_SECTION)
    values = {field: str(table.get(field, "") or "").strip() for field in SUPPORT_FIELDS}
    return Contact(**values) if any(values.values()) else None


def contact_lines(contact: Contact | None) -> list[str]:
    """The contact as Markdown lines, each setting escaped (it is the server's text, shown as
    written); the e-mail address as a link that opens a new message."""
    if contact is None:
        return [plain(NO_CONTACT)]
    lines = []
    if contact.name:
        lines.append(f"**{plain(contact.name)}**")
    if contact.email:
        lines.append(f"Email: [{plain(contact.email)}](mailto:{quote(contact.email, safe='@.+-_')})")
    if contact.phone:
        lines.append(f"Telephone: {plain(contact.phone)}")
    if contact.hours:
        lines.append(f"Opening hours: {plain(contact.hours)}")
    return lines


# --- cookies and browser storage ------------------------------------------------------------------

# When each is set, in the words the Cookies page uses.
EVERY_VISIT = "Every visit"
SIGNING_IN = "While you sign in"
SIGNED_IN = "When you have signed in"


@dataclass(frozen=True)
class Stored:
    """A cookie or an item of the browser's local storage that the dashboard leaves behind. A
    name written with <angle brackets> stands for a part that varies (the page's address)."""

    name: str
    purpose: str
    when: str
    expires: str

    def pattern(self) -> re.Pattern[str]:
        """The names a browser holds for this one: a <varying part> matches anything."""
        return re.compile(
            "".join(".*" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[^>]*>)", self.name))
        )


COOKIES = (
    Stored(
        "_streamlit_xsrf",
        "Proves that a change sent to the dashboard (a file loaded, for example) comes from its own "
        "pages and not from another website.",
        EVERY_VISIT,
        "When you close the browser",
    ),
    Stored(
        "_streamlit_session",
        "Remembers your request to sign in while the council's sign-in service checks who you are.",
        SIGNING_IN,
        "When you come back signed in, or after 14 days",
    ),
    Stored(
        "_streamlit_user",
        "Keeps you signed in: who you are, as the council's sign-in service said, sealed so it cannot be changed.",
        SIGNED_IN,
        "When you sign out, or after 30 days",
    ),
    Stored(
        "_streamlit_user_tokens",
        "The proof of sign-in the council's sign-in service gave, used to sign you out of it when you sign "
        "out here. A long one is split into more cookies, named _streamlit_user_tokens_1, _2 and so on.",
        SIGNED_IN,
        "When you sign out, or after 30 days",
    ),
)

LOCAL_STORAGE = (
    Stored(
        "stActiveTheme-<page address>-v2",
        "The colours the page was drawn in, so it opens in them next time.",
        EVERY_VISIT,
        "Stays until you clear your browser's site data",
    ),
    Stored(
        "stSidebarSectionsState-",
        "Which groups of pages in the sidebar you have opened or closed.",
        EVERY_VISIT,
        "Stays until you clear your browser's site data",
    ),
)
