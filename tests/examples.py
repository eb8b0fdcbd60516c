"""How many examples a property test tries. The README's test command runs about a third of each
test's full count (it stays under 20 minutes on a 2-core machine); `--hypothesis-profile=thorough`
runs them all (before a release, or after changing the arithmetic). Declared here once: the
profiles are registered and the quick one loaded by tests/conftest.py."""

from __future__ import annotations

from hypothesis import settings

QUICK, THOROUGH = "quick", "thorough"
FULL = 100  # the thorough profile's max_examples: a test's full count is tried as written
settings.register_profile(QUICK, max_examples=34)
settings.register_profile(THOROUGH, max_examples=FULL)


def examples(full: int) -> int:
    """A test's share of its full count under the profile in force (at least 10)."""
    return max(10, round(full * settings.default.max_examples / FULL))
