"""Who may change data. Viewing needs no sign-in. Loading files needs the data-officer role:
the user signs in with Streamlit's built-in OIDC (`st.login`, configured under [auth] in
.streamlit/secrets.toml) and their e-mail is listed under [roles] data_officers. Without an
[auth] section, or with uploads switched off, the dashboard loads nothing: the command line is
the way in."""

from __future__ import annotations

import streamlit as st

from dashboard.formatting import plain
from pipelines.base import config, invocation


def secret_table(section: str) -> dict:
    """A table of .streamlit/secrets.toml, empty when the file or the table is not there."""
    try:
        return dict(st.secrets.get(section, {}))
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def auth_configured() -> bool:
    return bool(secret_table("auth"))


def data_officers() -> set[str]:
    return {str(e).strip().lower() for e in secret_table("roles").get("data_officers", [])}


def may_load_data() -> tuple[bool, str]:
    """(allowed, why not) for the signed-in user."""
    if not config.UPLOADS_ENABLED:
        return (
            False,
            f"Uploads are switched off here. Load files with the command line: `{invocation.command('load KIND FILE')}`.",
        )
    if not auth_configured():
        return (
            False,
            "Uploads need sign-in, and no sign-in is configured ([auth] in .streamlit/secrets.toml). Use the command line.",
        )
    if not st.user.is_logged_in:
        return False, "Sign in to load data."
    email = str(st.user.get("email", "")).lower()
    if email not in data_officers():
        return False, f"Signed in as {email or 'an unknown user'}, who is not a data officer."
    return True, ""


def signed_in_email() -> str:
    try:
        return str(st.user.get("email", "")) if st.user.is_logged_in else ""
    except (AttributeError, KeyError):
        return ""


def is_signed_in() -> bool:
    """st.user says nothing of signing in until a sign-in is configured and a session asks."""
    try:
        return bool(st.user.is_logged_in)
    except (AttributeError, KeyError):
        return False


def sign_in_controls() -> None:
    """Sign in and out from the sidebar of every page, since approving and recording decisions
    need a signed-in data officer whether or not uploads are on. Nothing without [auth]."""
    if not auth_configured():
        return
    if is_signed_in():
        email = signed_in_email()
        role = "data officer" if email.lower() in data_officers() else "viewer"
        st.caption(f":material/account_circle: {plain(email or 'signed in')} ({role})")
        st.button("Sign out", on_click=st.logout, key="sign_out")
    else:
        st.button(
            "Sign in", on_click=st.login, key="sign_in", help="With the council's sign-in; data officers may load and approve."
        )


def may_approve() -> tuple[bool, str]:
    """(allowed, why not): approving a decision, or recording an accreditation decision, needs
    a signed-in data officer whether or not file uploads are switched on."""
    if not auth_configured():
        return False, "Approving needs sign-in, and no sign-in is configured ([auth] in .streamlit/secrets.toml)."
    if not st.user.is_logged_in:
        return False, "Sign in as a data officer to approve."
    email = signed_in_email().lower()
    if email not in data_officers():
        return False, f"Signed in as {email or 'an unknown user'}, who is not a data officer."
    return True, ""
