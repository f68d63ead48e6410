"""The heartbeat history in the Django admin: runs and status changes, read-only.

Django's admin autodiscovery imports this package; importing it registers
both lists on the default site. ``heatmap`` draws, ``picture`` queries.
"""

from __future__ import annotations

from .changes import StatusChangeAdmin
from .runs import HeartbeatRunAdmin

__all__ = ["HeartbeatRunAdmin", "StatusChangeAdmin"]
