"""Blinker signals sent after every ``/__heartbeat__`` run of the Flask extension.

The sender is the Flask app itself, so ``@heartbeat_passed.connect_via(app)``
receives them. Receivers get ``level`` (the highest message level, an int)
and ``result`` (the :class:`~dockerflow.checks.HeartbeatResult` of the run).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

heartbeat_passed = _signals.signal(
    "dockerflow.heartbeat-passed",
    doc="Sent when no check reported an error or worse.",
)
heartbeat_failed = _signals.signal(
    "dockerflow.heartbeat-failed",
    doc="Sent when a check reported an error or worse; the response is a 5xx.",
)

__all__ = ["heartbeat_failed", "heartbeat_passed"]
