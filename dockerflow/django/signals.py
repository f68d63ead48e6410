"""Signals sent after every ``/__heartbeat__`` run, passed or failed.

Receivers get ``sender`` (the heartbeat view), ``level`` (the worst check
level, an int as in python-dockerflow) and ``result``, the full
:class:`dockerflow.checks.HeartbeatResult` with every check's messages and
``durations``. They are sent with ``send_robust``: a receiver that raises
is logged on the ``dockerflow`` logger and the heartbeat answers anyway.

Example::

    @receiver(heartbeat_failed)
    def count_failure(sender, level, result, **kwargs):
        statsd.incr("heartbeat.fail")
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

from dockerflow.checks import HeartbeatResult

__all__ = ["heartbeat_failed", "heartbeat_passed", "send_heartbeat_signal"]

logger = logging.getLogger("dockerflow")

#: Sent when no check reported an error or worse.
heartbeat_passed = Signal()
#: Sent when a check reported an error or worse.
heartbeat_failed = Signal()


def send_heartbeat_signal(sender: Any, result: HeartbeatResult) -> None:
    signal = heartbeat_passed if result.passed else heartbeat_failed
    for receiver, outcome in signal.send_robust(
        sender=sender, level=result.level, result=result
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "Heartbeat signal receiver %r raised %s",
                receiver,
                type(outcome).__name__,
                exc_info=(type(outcome), outcome, outcome.__traceback__),
            )
