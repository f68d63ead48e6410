"""The Sanic signals the extension dispatches after each heartbeat run.

Receivers are Sanic signal handlers and get two keyword arguments: ``level``
(the worst check level, an int) and ``result`` (the
:class:`~dockerflow.checks.HeartbeatResult`, with every check's messages and
duration)::

    @app.signal(HEARTBEAT_FAILED)
    async def page_someone(level, result, **context):
        ...

Signals are dispatched in the background (Sanic's default), so a slow
receiver never delays the heartbeat response. ``init_app`` declares both
events, so ``await app.event(HEARTBEAT_FAILED)`` works with no receivers.
"""

from __future__ import annotations

#: Dispatched when no check reported an error or worse.
HEARTBEAT_PASSED = "dockerflow.heartbeat.passed"
#: Dispatched when at least one check reported an error or worse.
HEARTBEAT_FAILED = "dockerflow.heartbeat.failed"

EVENTS = (HEARTBEAT_PASSED, HEARTBEAT_FAILED)

__all__ = ["EVENTS", "HEARTBEAT_FAILED", "HEARTBEAT_PASSED"]
