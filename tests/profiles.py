"""Hypothesis profiles: ``fast`` by default, for the edit-test loop, and ``ci``
(``HYPOTHESIS_PROFILE=ci``, what ``make test`` runs) with each test's full budget.

A test states its full budget with :func:`examples`; under ``fast`` it runs
at most :data:`FAST_EXAMPLES` of them.
"""

from __future__ import annotations

import os

from hypothesis import settings

#: The examples a test runs at most under the fast profile.
FAST_EXAMPLES = 50

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fast")

settings.register_profile("fast", max_examples=FAST_EXAMPLES, deadline=None)
# Hypothesis's own budget (100 examples) and deadline, printing the blob that
# reproduces a failure in CI's log.
settings.register_profile("ci", print_blob=True)


def load() -> None:
    """Load the profile HYPOTHESIS_PROFILE names (``fast`` when unset)."""
    if PROFILE not in ("fast", "ci"):
        raise ValueError(f"HYPOTHESIS_PROFILE must be fast or ci, not {PROFILE!r}")
    settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """``full`` under the ci profile; at most FAST_EXAMPLES under fast."""
    return full if PROFILE == "ci" else min(full, FAST_EXAMPLES)
