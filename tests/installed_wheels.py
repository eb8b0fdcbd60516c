"""A wheelhouse made from the running environment: each library a wheel needs, packed back into a
wheel from the files it installed, so ``pip install`` of that wheel can run offline, as written,
into a new environment of another interpreter (``--find-links`` the wheelhouse, ``--no-index``).

The running environment was installed from requirements.lock (the README's set-up, and CI's), so
the wheelhouse holds the locked versions and nothing is downloaded. A repacked wheel carries the
package's files and its metadata (entry points included, so pip writes its console scripts
again); it leaves out what the installer wrote (RECORD, INSTALLER, REQUESTED, direct_url.json),
compiled bytecode, and scripts installed outside site-packages."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name

_WRITTEN_BY_THE_INSTALLER = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def requirements_of(wheel: Path) -> list[str]:
    """The wheel's own Requires-Dist, extras left out."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        fields = Parser().parsestr(archive.read(name).decode("utf-8"))
    return [r for r in fields.get_all("Requires-Dist") or [] if "extra ==" not in r]


def needed(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """Every installed distribution the requirements pull in, by canonical name, the extras they
    ask for included and environment markers evaluated here."""
    found: dict[str, tuple[metadata.Distribution, set[str]]] = {}
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name not in found:
            found[name] = (metadata.distribution(requirement.name), set())
        elif requirement.extras <= found[name][1]:
            continue
        distribution, extras = found[name]
        extras.update(requirement.extras)
        for text in distribution.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras | {""}):
                sub.marker = None
                pending.append(sub)
    return {name: distribution for name, (distribution, _) in found.items()}


def _tag(distribution: metadata.Distribution) -> str:
    """The first of the distribution's wheel tags this interpreter accepts."""
    ours = {str(tag) for tag in sys_tags()}
    lines = (distribution.read_text("WHEEL") or "").splitlines()
    tags = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
    return next(tag for tag in tags if tag in ours)


def repack(distribution: metadata.Distribution, folder: Path) -> Path:
    files = distribution.files or []
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    wheel = folder / f"{info.removesuffix('.dist-info')}-{_tag(distribution)}.whl"
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for file in files:
            if (
                ".." in file.parts
                or "__pycache__" in file.parts
                or (file.parts[0] == info and file.name in _WRITTEN_BY_THE_INSTALLER)
            ):
                continue
            data = Path(str(distribution.locate_file(file))).read_bytes()
            archive.writestr(file.as_posix(), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{file.as_posix()},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def wheelhouse(wheel: Path, folder: Path) -> Path:
    """``folder`` filled with a wheel of every library ``wheel`` needs, as installed here."""
    folder.mkdir(parents=True, exist_ok=True)
    for distribution in needed(requirements_of(wheel)).values():
        repack(distribution, folder)
    return folder
