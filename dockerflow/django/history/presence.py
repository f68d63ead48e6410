"""When a host counts as missing, and when as gone for good: the one rule the
admin's picture and /__metrics__ both apply to a host's last-seen time.
"""

from __future__ import annotations

from datetime import timedelta

from ..conf import conf

__all__ = ["GONE_AFTER", "missing_after"]

#: A host unheard of this long was replaced, not lost: it is no longer shown.
GONE_AFTER = timedelta(hours=24)


def missing_after() -> timedelta:
    """How long a host may stay silent before it counts as missing.

    A live host stores a run at least every DOCKERFLOW_HISTORY_SAMPLE_SECONDS;
    one more interval and a minute of grace cover a slow probe or a restart.
    """
    return timedelta(seconds=2 * conf.history.sample_seconds + 60)
