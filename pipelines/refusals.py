"""Why a what-if cannot be computed, in words a page or the command line shows as they are.

Its own module because both the allocation and a membership plan raise it, and the plan's
module is imported by the allocation's."""

from __future__ import annotations


class AllocationRefused(ValueError):
    """The settings cannot give a fair split (e.g. a negative pot or nobody funded)."""


class PlanRefused(AllocationRefused):
    """A membership plan names what is not there (an unknown school, a partnership, a member)."""
