"""The seed's ``dockerflow.django.signals``: the same signal objects.

A receiver connected through either path receives every heartbeat.
"""

from __future__ import annotations

from ..signals import heartbeat_failed, heartbeat_passed

__all__ = ["heartbeat_failed", "heartbeat_passed"]
