"""The heartbeat history in the Django admin: runs and status changes, read-only.

Django's admin autodiscovery imports this package; importing it registers
both lists on the default site. ``svg`` draws, ``picture`` queries.
"""

from __future__ import annotations

from .runs import HeartbeatRunAdmin, StatusChangeAdmin

__all__ = ["HeartbeatRunAdmin", "StatusChangeAdmin"]
