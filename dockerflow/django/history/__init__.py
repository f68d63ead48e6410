"""The heartbeat history: every Django heartbeat run is counted, and the runs
that matter are stored with their checks, status changes and aggregates.

:func:`record` is the one entry point; docs/history.rst says what is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async

from .recorder import MODES, Pending, Recorder, history_host

if TYPE_CHECKING:
    from dockerflow.checks import HeartbeatResult

    from ..models import HeartbeatRun

__all__ = [
    "MODES",
    "Pending",
    "Recorder",
    "arecord",
    "history_host",
    "record",
    "recorder",
]

#: The process's recorder; ``recorder.reset()`` forgets its memory (tests).
recorder = Recorder()


def record(
    result: HeartbeatResult,
    *,
    source: str,
    http_status: int | None = None,
    force: bool = False,
) -> HeartbeatRun | None:
    """Count a heartbeat run and store it if DOCKERFLOW_HISTORY says so.

    Returns the stored run, or None. Never raises: a database error is
    logged on ``dockerflow.history`` as a warning and the run is lost.
    A run that is not stored costs no query. ``force=True`` stores the run
    unless the history is "off" (``manage.py dockerflow_check --record``).
    """
    return recorder.record(result, source=source, http_status=http_status, force=force)


async def arecord(
    result: HeartbeatResult,
    *,
    source: str,
    http_status: int | None = None,
    force: bool = False,
) -> HeartbeatRun | None:
    """:func:`record` for an event loop: only a database visit leaves the loop."""
    pending = recorder.prepare(
        result, source=source, http_status=http_status, force=force
    )
    if pending is None:
        return None
    return await sync_to_async(recorder.write)(pending)
