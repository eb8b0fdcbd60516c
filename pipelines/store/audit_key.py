"""The audit key: the secret the audit log is sealed with (pipelines/store/audit_chain.py). Read
from PARTNERSHIP_AUDIT_KEY or a key file kept outside the store's folder, so that a copy of the
store never carries the means to reseal it; made only on request (``make-key``) or for a new
store's first entry."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from pipelines.base.refusals import Refused

KEY_ENV = "PARTNERSHIP_AUDIT_KEY"
KEY_FILE_ENV = "PARTNERSHIP_AUDIT_KEY_FILE"
KEY_FILE_NAME = "audit.key"
MIN_KEY_BYTES = 16
KEY_ID_LABEL = b"partnership-audit-key-id"

logger = logging.getLogger(__name__)


class AuditKeyProblem(Refused):
    """The audit key cannot be read or made: nothing can be written to the log without it."""


@dataclass(frozen=True)
class Key:
    secret: bytes = field(repr=False)
    source: str

    @property
    def key_id(self) -> str:
        """A fingerprint a store can keep without giving the key away, so verification can tell
        'sealed with another key' from 'changed'."""
        return hmac.new(self.secret, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def default_key_file() -> Path:
    """Outside the store's folder on purpose: a copy of the store does not carry its key."""
    return platformdirs.user_config_path("partnership-funding", appauthor=False) / KEY_FILE_NAME


def _secret_from_text(text: str, where: str) -> bytes:
    """Hex is read as the bytes it spells (what the made key files hold); any other text as its
    UTF-8 bytes. The same rule for the variable and the file, so one key reads the same from both."""
    text = text.strip()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text) and len(text) >= 2 * MIN_KEY_BYTES:
        secret = bytes.fromhex(text)
    else:
        secret = text.encode("utf-8")
    if len(secret) < MIN_KEY_BYTES:
        raise AuditKeyProblem(
            f"{where}: the audit key is too short ({len(secret)} bytes; at least {MIN_KEY_BYTES}, e.g. 64 hex digits "
            f"from: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return secret


def key_file_path() -> Path:
    """Where the key file is looked for: the file PARTNERSHIP_AUDIT_KEY_FILE names, else the user's."""
    named = os.environ.get(KEY_FILE_ENV)
    return Path(named).expanduser() if named and named.strip() else default_key_file()


def where_looked() -> str:
    """The places a key was looked for, in the words a refusal gives them."""
    named = os.environ.get(KEY_FILE_ENV)
    place = f"the file {key_file_path()}" + (f" (${KEY_FILE_ENV})" if named and named.strip() else "")
    return f"${KEY_ENV} is not set and {place} does not exist"


def load_key() -> Key | None:
    """The audit key: from PARTNERSHIP_AUDIT_KEY, else the key file (key_file_path). None when
    there is none: a key is never made here, so a reader cannot leave a key behind that a later
    write would seal with."""
    text = os.environ.get(KEY_ENV)
    if text is not None and text.strip():
        return Key(_secret_from_text(text, f"${KEY_ENV}"), f"${KEY_ENV}")
    path = key_file_path()
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyProblem(f"{path}: the audit key file cannot be read ({exc}); nothing was changed") from None
    return Key(_secret_from_text(text, str(path)), str(path))


def make_key(path: Path | None = None) -> Key:
    """A new key file (the ``make-key`` command): refused where one exists, so a key that seals a
    log is never replaced by accident."""
    path = path or key_file_path()
    if path.exists():
        raise AuditKeyProblem(f"{path}: a key file is already there; nothing was changed (a key is never replaced)")
    _make_key_file(path)
    return Key(_secret_from_text(path.read_text(encoding="utf-8"), str(path)), str(path))


def _make_key_file(path: Path) -> None:
    """Made whole under a private name, then linked into place: two processes starting at once
    end up with the one key, and nobody reads a half-written file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(scratch, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                scratch.unlink()
    except OSError as exc:
        raise AuditKeyProblem(
            f"{path}: the audit key file cannot be made ({exc.strerror or exc}); set {KEY_FILE_ENV} to a key file "
            f"this user can read, or {KEY_ENV}; nothing was changed"
        ) from None
    logger.warning(
        "made a new audit key at %s: keep a copy somewhere safe, apart from the store's backups; verification needs it", path
    )
