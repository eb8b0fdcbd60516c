"""The two families of errors the tool raises on purpose, each saying why in words a page or the
command line shows as they are; anything else is a fault, logged with its traceback.

``Refused``: what the tool will not do as asked: a file with errors, a split that cannot be fair,
a plan naming what is not there, a store that cannot be used as it is (damaged, newer, busy).
``Failed``: what the machine would not let it finish: a full disk, a read-only folder. The
request itself was fine and succeeds once that is put right, so the command line exits 1 for it
(its "anything else"), not 2; in both cases nothing was changed.

Its own module because the allocation, a membership plan, the loaders and the store raise them,
and each of those modules is imported by others."""

from __future__ import annotations


class Refused(Exception):
    """The request cannot be carried out as asked; nothing was changed; the message says why."""


class Failed(Exception):
    """The machine stopped a write part-way (no room, no permission); nothing was changed; the
    message names the file and what to do about it."""


class AllocationRefused(Refused, ValueError):
    """The settings cannot give a fair split (e.g. a negative pot or nobody funded)."""


class PlanRefused(AllocationRefused):
    """A membership plan names what is not there (an unknown school, a partnership, a member)."""
