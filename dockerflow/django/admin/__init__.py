"""The heartbeat history in the Django admin: runs, status changes and webhook
deliveries, read-only.

Django's admin autodiscovery imports this package; importing it registers
the lists on the default site. ``heatmap`` draws, ``picture`` queries.
"""

from __future__ import annotations

from .changes import StatusChangeAdmin
from .deliveries import DeliveryAdmin
from .runs import HeartbeatRunAdmin

__all__ = ["DeliveryAdmin", "HeartbeatRunAdmin", "StatusChangeAdmin"]
