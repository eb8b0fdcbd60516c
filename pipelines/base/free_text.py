"""Text a person types: the one rule for every name, title and note, and for what shows nothing.

A name, title or note typed on the command line or a dashboard form is kept in the decision,
the audit log and the files finance receives, and shown on screens and terminals. So every one
of them (an approver's name, who saves or restores, a decision title or note, a scenario name,
a partnership name in a plan, an accreditation note) passes ``clean``:

- the characters that show nothing at either end are dropped, as in a loaded cell (white space,
  control characters, zero-width and other format characters);
- inside, a control character (a line break or tab included: every field is one line), a
  zero-width or other format character (direction marks too), a line or paragraph separator or
  any other character that shows nothing is refused, naming the field and the character, so
  nobody can sign as an invisible name or write a line into a terminal that the tool did not;
- what is left holds at least one letter or digit (a required field that is blank is refused
  with the field's own words), and is no longer than the field's declared length.

Values stored before this rule (or read from files, which only lose what is at their edges) may
still hold such characters: ``for_terminal`` shows them as escapes (``\\x1b``), and pages show
every such text as plain text (dashboard.formatting.plain), never as Markdown.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from pipelines.base.refusals import Refused

# What shows nothing on screen: white space (no-break spaces included), control characters,
# format characters (zero-width spaces and joiners, the word joiner, byte-order marks, direction
# marks) and the other default-ignorable code points such as the Hangul filler. A loaded cell and
# a typed value both lose these at their edges (pipelines/ingest/readers.py trims every cell with it).
INVISIBLE = r"[\s\p{Z}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]"
INVISIBLE_AT_EDGES = rf"^{INVISIBLE}+|{INVISIBLE}+$"
# Refused inside a typed value: the invisible characters other than the ordinary spaces.
NOT_TEXT = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]"

NAME_LENGTH = 120  # a person's name or e-mail address, a scenario's or a partnership's name
TITLE_LENGTH = 200  # a decision's title
NOTE_LENGTH = 300  # a note kept with a decision or an accreditation


@dataclass(frozen=True)
class Field:
    """A typed field: how a sentence names it, its longest value, and what to say when a
    required one is left blank."""

    label: str
    max_length: int
    missing: str


APPROVER = Field("the approver's name", NAME_LENGTH, "say who approves the decision")
DECISION_TITLE = Field("the decision title", TITLE_LENGTH, "give the decision a title")
DECISION_NOTE = Field("the decision note", NOTE_LENGTH, "")
SCENARIO_NAME = Field("the scenario name", NAME_LENGTH, "give the scenario a name")
SCENARIO_SAVER = Field("the name of who saves the scenario", NAME_LENGTH, "say who is saving the scenario")
SCENARIO_DELETER = Field("the name of who deletes the scenario", NAME_LENGTH, "say who deletes the scenario")
PLAN_APPROVER = Field("the name of who approves the plan (--by)", NAME_LENGTH, "say who approves the plan")
RESTORER = Field("the name of who restores (--by)", NAME_LENGTH, "say who restores the store")
PARTNERSHIP_NAME = Field("the partnership name", NAME_LENGTH, "the partnership's name")
ACCREDITATION_NOTES = Field("the accreditation notes", NOTE_LENGTH, "")


class FreeTextRefused(Refused, ValueError):
    """A typed value the rule refuses; the message names the field and what is wrong."""


def trim(text: str) -> str:
    """The value without what shows nothing at its ends (the rule for loaded cells too)."""
    if not text:
        return ""
    _refuse_non_text(text)
    return pl.Series([text], dtype=pl.String).str.replace_all(INVISIBLE_AT_EDGES, "").item()


def problem(text: str | None, field: Field, *, required: bool = True) -> str | None:
    """What is wrong with the typed value, in words naming the field, or None if it may be kept."""
    try:
        trimmed = trim(text or "")
    except FreeTextRefused as refused:
        return f"{field.label} {refused}"
    if not trimmed:
        return field.missing if required else None
    hidden = _hidden(trimmed)
    if hidden:
        first = min(hidden, key=trimmed.index)
        return f"{field.label} holds {_kind(first)} ({escape(first)}, U+{ord(first):04X}); type it without that character"
    if len(trimmed) > field.max_length:
        return f"{field.label} is longer than {field.max_length} characters ({len(trimmed)})"
    if not any(unicodedata.category(ch)[0] in "LN" for ch in trimmed):
        return f"{field.label} holds no letter or digit"
    return None


def clean(text: str | None, field: Field, *, required: bool = True) -> str | None:
    """The value as it is kept: trimmed; None when it is optional and blank. Raises
    FreeTextRefused (a Refused and a ValueError) saying what is wrong."""
    wrong = problem(text, field, required=required)
    if wrong:
        raise FreeTextRefused(wrong)
    return trim(text or "") or None


def clean_required(text: str | None, field: Field) -> str:
    """``clean`` for a field that must be given: never None."""
    kept = clean(text, field)
    assert kept is not None
    return kept


def shorten(text: str, field: Field) -> str:
    """A title the tool made up itself (the settings in words), cut to the field's length."""
    return text if len(text) <= field.max_length else text[: field.max_length - 1] + "…"


def for_terminal(text: object) -> str:
    """A stored value as a terminal line may show it: what shows nothing (an escape sequence, a
    carriage return, a line break, a zero-width space) is written as its escape, e.g. ``\\x1b``,
    so a value kept by an earlier release cannot forge or hide a line."""
    shown = str(text)
    surrogates = {ch for ch in shown if 0xD800 <= ord(ch) <= 0xDFFF}  # not UTF-8: polars cannot take them
    for ch in _hidden("".join(ch for ch in shown if ch not in surrogates)) | surrogates:
        shown = shown.replace(ch, escape(ch))
    return shown


def escape(ch: str) -> str:
    """One character as Python writes it in a string literal: \\x1b, \\n, \\u200b."""
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def _hidden(text: str) -> set[str]:
    if not text:
        return set()
    return set(pl.Series([text], dtype=pl.String).str.extract_all(NOT_TEXT).item().to_list())


def _refuse_non_text(text: str) -> None:
    """Bytes that were not UTF-8 reach Python as lone surrogates, which no store or page can hold."""
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise FreeTextRefused(f"holds bytes that are not text (U+{ord(ch):04X}; is the terminal set to UTF-8?)")


def _kind(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc":
        return "a control character"
    if category in ("Zl", "Zp"):
        return "a line or paragraph separator"
    return "an invisible character"
