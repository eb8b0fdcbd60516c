"""The one family of errors the tool raises for what it will not do as asked: a file with
errors, a split that cannot be fair, a plan naming what is not there, a store that cannot be used
as it is. Each says why in words a page or the command line shows as they are, so both catch
``Refused`` and nothing else of ours; anything else is a fault, logged with its traceback.

Its own module because the allocation, a membership plan, the loaders and the store raise them,
and each of those modules is imported by others."""

from __future__ import annotations


class Refused(Exception):
    """The request cannot be carried out as asked; nothing was changed; the message says why."""


class AllocationRefused(Refused, ValueError):
    """The settings cannot give a fair split (e.g. a negative pot or nobody funded)."""


class PlanRefused(AllocationRefused):
    """A membership plan names what is not there (an unknown school, a partnership, a member)."""
