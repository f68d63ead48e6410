"""The seed's ``dockerflow.flask.signals`` path: :mod:`dockerflow_flask.signals`.

The same signal objects, so receivers connected through either path get them.
"""

from __future__ import annotations

from dockerflow_flask.signals import heartbeat_failed, heartbeat_passed

__all__ = ["heartbeat_failed", "heartbeat_passed"]
