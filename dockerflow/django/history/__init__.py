"""The heartbeat history: every Django heartbeat run is counted, and the runs
that matter are stored with their checks, status changes and aggregates.

:func:`submit` counts a run and leaves storing it to the process's writer
thread (the heartbeat's way); :func:`record` stores it before it returns.
docs/history.rst says what is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..conf import conf
from ..threads import closing_sync_to_async
from .recorder import MODES, Pending, Recorder, history_host
from .writer import DRAIN_SECONDS, Writer

if TYPE_CHECKING:
    from dockerflow.checks import HeartbeatResult

    from ..models import HeartbeatRun

__all__ = [
    "MODES",
    "Pending",
    "Recorder",
    "Writer",
    "arecord",
    "drain",
    "history_host",
    "record",
    "recorder",
    "submit",
    "writer",
]

#: The process's recorder; ``recorder.reset()`` forgets its memory (tests).
recorder = Recorder()
#: The process's writer thread and queue; ``writer.dropped`` counts the runs
#: it dropped, ``writer.reset()`` forgets its queue (tests).
writer = Writer(recorder)


def submit(
    result: HeartbeatResult, *, source: str, http_status: int | None = None
) -> None:
    """Count a heartbeat run; the writer thread stores it if it is to be stored.

    Never waits for the database, never raises: with DOCKERFLOW_HISTORY_QUEUE
    runs already waiting, the oldest is dropped (its flips and counters are
    kept). With DOCKERFLOW_HISTORY_QUEUE = 0 the run is stored here, as
    :func:`record` does. Safe on an event loop when the queue is on.
    """
    pending = recorder.prepare(result, source=source, http_status=http_status)
    if pending is None:
        return
    capacity = conf.history.queue
    if capacity:
        writer.submit(pending, capacity)
    else:
        recorder.write(pending)


def drain(timeout: float = DRAIN_SECONDS) -> bool:
    """Store the runs the writer holds, and the counters, within ``timeout``
    seconds; whether all were stored. For a worker that exits: gunicorn's
    ``worker_exit`` hook (the example's gunicorn_conf.py); ``atexit`` calls
    it anyway."""
    return writer.drain(timeout)


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
    In the "changes" mode a run that is not stored costs one SELECT here
    (did another worker of the host flip it?); :func:`submit` leaves that
    to the writer. ``force=True`` stores the run
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
    return await closing_sync_to_async(recorder.write)(pending)  # type: ignore[no-any-return]
