"""The code blocks of the project's Markdown documents, found by the heading they sit under and
the language of their fence, so a test runs or checks a document as it is written rather than a
copy of it that could drift."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_FENCE = re.compile(r"^```(\S*)\s*$")


def section(path: Path, heading: str) -> str:
    """The text under the first heading that starts with ``heading`` (without its #s), up to the
    next heading of the same or a higher level."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start, level, fenced = None, 0, False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match is None:
            continue
        if start is None and match[2].startswith(heading):
            start, level = number + 1, len(match[1])
        elif start is not None and len(match[1]) <= level:
            return "\n".join(lines[start:number])
    if start is None:
        raise AssertionError(f"{path.name} has no heading starting {heading!r}")
    return "\n".join(lines[start:])


def blocks(text: str, language: str) -> list[str]:
    """Every fenced block of ``language`` in ``text``, in order, without its fences."""
    found, current, kind = [], None, None
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if fence and current is None:
            current, kind = [], fence[1]
        elif fence:
            if kind == language:
                found.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return found


def commands(block: str) -> list[str]:
    """The shell commands of a block: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", "", block)
    lines = (re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
