"""Signals: one after every ``/__heartbeat__`` run, and one per status change
the history records.

``heartbeat_passed`` and ``heartbeat_failed`` receivers get ``sender`` (the
heartbeat view), ``level`` (the worst check level, an int as in
python-dockerflow) and ``result``, the full
:class:`dockerflow.checks.HeartbeatResult` with every check's messages and
``durations``. A receiver that raises is logged on the ``dockerflow`` logger
and the heartbeat answers anyway.

``status_changed`` is sent once per
:class:`~dockerflow.django.models.StatusChange` row, by the process that
wrote it, after the transaction that wrote it commits (never if it rolls
back), on the history's database. Of several workers or replicas that see
the same flip, only the one whose conditional update wins writes the row,
so only it sends the signal. It runs on the thread that wrote the row,
usually the history's writer thread, after the heartbeat has answered.
Receivers get ``sender`` (the ``StatusChange`` class) and:

``change``
    the row itself, saved (it has its ``pk``);
``host``
    the host name;
``check``
    the check's name, or ``""`` for the host as a whole;
``old_status``, ``new_status``
    ``"ok"``, ``"info"``, ``"warning"``, ``"error"`` or ``"critical"``;
    ``old_status`` is ``""`` the first time the host or check is seen (which
    is a change only when it starts out unhealthy);
``time``
    when the change was seen, an aware ``datetime``;
``previous_duration``
    seconds the old status lasted, ``None`` the first time;
``failing_checks``
    the names of the host's checks at error or worse after the change;
``using``
    the database alias the row was written to.

A receiver that raises is logged on the ``dockerflow.history`` logger with
its traceback; the other receivers still get the change and the row is
kept. Example::

    @receiver(heartbeat_failed)
    def count_failure(sender, level, result, **kwargs):
        statsd.incr("heartbeat.fail")

    @receiver(status_changed)
    def tell_ops(sender, host, check, old_status, new_status, **kwargs):
        what = f"{host} {check}" if check else host
        chat.post(f"{what}: {old_status or 'new'} -> {new_status}")
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

from dockerflow.checks import HeartbeatResult

if TYPE_CHECKING:
    from .models import StatusChange

__all__ = [
    "announce_changes",
    "heartbeat_failed",
    "heartbeat_passed",
    "send_heartbeat_signal",
    "send_status_changed",
    "status_changed",
]

logger = logging.getLogger("dockerflow")
history_logger = logging.getLogger("dockerflow.history")

#: Sent when no check reported an error or worse.
heartbeat_passed = Signal()
#: Sent when a check reported an error or worse.
heartbeat_failed = Signal()
#: Sent once per status change row, after the transaction that wrote it commits.
status_changed = Signal()


def _log_failures(
    log: logging.Logger, what: str, outcomes: list[tuple[Any, Any]]
) -> None:
    for receiver, outcome in outcomes:
        if isinstance(outcome, Exception):
            log.error(
                "%s signal receiver %r raised %s",
                what,
                receiver,
                type(outcome).__name__,
                exc_info=(type(outcome), outcome, outcome.__traceback__),
            )


def send_heartbeat_signal(sender: Any, result: HeartbeatResult) -> None:
    signal = heartbeat_passed if result.passed else heartbeat_failed
    outcomes = signal.send_robust(sender=sender, level=result.level, result=result)
    _log_failures(logger, "Heartbeat", outcomes)


def send_status_changed(changes: Sequence[StatusChange], using: str) -> None:
    """Send :data:`status_changed` for each of ``changes``, in their order."""
    for change in changes:
        outcomes = status_changed.send_robust(
            sender=type(change),
            change=change,
            host=change.host,
            check=change.check_name,
            old_status=change.old_status,
            new_status=change.new_status,
            time=change.time,
            previous_duration=change.previous_duration,
            failing_checks=list(change.failing_checks),
            using=using,
        )
        _log_failures(history_logger, "Status change", outcomes)


def announce_changes(changes: Sequence[StatusChange], using: str) -> None:
    """Send :data:`status_changed` for ``changes``, just written in the
    current transaction on ``using``, once that transaction commits."""
    if not changes or not status_changed.has_listeners():
        return
    rows = list(changes)
    transaction.on_commit(lambda: send_status_changed(rows, using), using=using)
