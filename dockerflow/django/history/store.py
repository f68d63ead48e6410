"""One database visit of the recorder: store the run if it is due, record the
flips, count failing time, and add the counters, all in one transaction.

Concurrent workers of one host agree through conditional UPDATEs on
:class:`~dockerflow.django.models.CheckState`: only the worker whose UPDATE
matched records a flip, so no change row is ever written twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..models import FAILING, CheckRun, CheckState, HeartbeatRun, StatusChange
from .aggregates import Tally, flush, status_counter
from .seen import Seen, messages

__all__ = ["Visit", "visit"]

#: What a visit does with the run: store it, store it if it changed or a
#: sample is due, or only count it.
ALWAYS, IF_DUE, NEVER = "always", "if-due", "never"


@dataclass
class Visit:
    seen: Seen
    source: str
    http_status: int | None
    store: str
    #: Seconds between two sample runs in the "changes" mode.
    sample: float
    #: The longest gap between two visits counted as failing time; a longer
    #: one means nobody was watching, which is no data rather than a failure.
    gap: float
    #: Filled in by :func:`visit`.
    run: HeartbeatRun | None = None
    known_signature: str = ""
    known_stored_at: dt.datetime | None = None
    changes: list[StatusChange] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.seen.host

    @property
    def time(self) -> dt.datetime:
        return self.seen.time


def visit(v: Visit, tally: Tally, using: str) -> Visit:
    """Write what ``v`` says and ``tally``; ``v`` gets what was written."""
    failing_time = Tally()
    with transaction.atomic(using=using):
        states = {
            s.check_name: s for s in CheckState.objects.using(using).filter(host=v.host)
        }
        created = _claim(v, states, using)
        if v.run is not None:
            _write_checks(v, using)
        _track(v, states, created, failing_time, using)
        # Every check reporting is current, for the admin: one UPDATE.
        CheckState.objects.using(using).filter(
            host=v.host,
            check_name__in=list(v.seen.sighting().statuses),
            seen_at__lt=v.time,
        ).update(seen_at=v.time)
        if v.changes:
            StatusChange.objects.using(using).bulk_create(v.changes)
        failing_time.merge(tally)
        flush(failing_time, using)
    return v


def _create(v: Visit, name: str, status: str, using: str, **extra: Any) -> bool:
    try:
        with transaction.atomic(using=using):
            CheckState.objects.using(using).create(
                host=v.host,
                check_name=name,
                status=status,
                since=v.time,
                seen_at=v.time,
                counted_until=v.time,
                **extra,
            )
    except IntegrityError:
        return False  # another worker saw this host or check first
    return True


def _claim(v: Visit, states: dict[str, CheckState], using: str) -> set[str]:
    """Decide whether this worker stores the run; returns the states it created."""
    host_state = states.get("")
    wants = v.store != NEVER
    created: set[str] = set()
    if host_state is None:
        stamp = {"stored_at": v.time, "signature": v.seen.signature} if wants else {}
        if _create(v, "", status_counter(v.seen.level), using, **stamp):
            created.add("")
            stored = wants
        else:
            stored = v.store == ALWAYS
    else:
        rows = CheckState.objects.using(using).filter(pk=host_state.pk)
        if v.store == ALWAYS:
            rows.update(signature=v.seen.signature, stored_at=v.time)
            stored = True
        elif v.store == IF_DUE:
            due = (
                Q(stored_at__isnull=True)
                | Q(stored_at__lte=v.time - dt.timedelta(seconds=v.sample))
                | ~Q(signature=v.seen.signature)
            )
            stamp = {"signature": v.seen.signature, "stored_at": v.time}
            stored = bool(rows.filter(due).update(**stamp))
        else:
            stored = False
        if not stored:
            v.known_signature = host_state.signature
            v.known_stored_at = host_state.stored_at
    if stored:
        v.known_signature, v.known_stored_at = v.seen.signature, v.time
        v.run = _store_run(v, using)
    return created


def _store_run(v: Visit, using: str) -> HeartbeatRun:
    result = v.seen.result
    return HeartbeatRun.objects.using(using).create(
        time=v.time,
        host=v.host,
        status=status_counter(v.seen.level),
        level=v.seen.level,
        duration_ms=round(result.duration * 1000.0, 3),
        http_status=v.http_status,
        source=v.source,
        version=v.seen.version,
        failing_checks=v.seen.sighting().failing,
    )


def _write_checks(v: Visit, using: str) -> None:
    CheckRun.objects.using(using).bulk_create(
        CheckRun(
            run=v.run,
            time=v.time,
            host=v.host,
            name=name,
            status=status_counter(check.level),
            level=check.level,
            duration_ms=round(check.duration * 1000.0, 3),
            messages=messages(check),
        )
        for name, check in v.seen.checks
    )


def _track(
    v: Visit,
    states: dict[str, CheckState],
    created: set[str],
    failing_time: Tally,
    using: str,
) -> None:
    """Record each flip once and count failing time up to now, exactly once."""
    seen = v.seen.sighting()
    for name, status in sorted(seen.statuses.items()):
        state = states.get(name)
        if state is not None:
            old, since, changed = _advance(v, state, status, failing_time, using)
        elif name in created or _create(v, name, status, using):
            # First seen: not a flip, unless it starts out unhealthy, so
            # "failing since" is known from the start.
            old, since, changed = "", None, status != "ok"
        else:
            continue  # another worker saw it first and speaks for it
        if changed:
            v.changes.append(
                StatusChange(
                    time=v.time,
                    host=v.host,
                    check_name=name,
                    old_status=old,
                    new_status=status,
                    failing_checks=seen.failing,
                    previous_duration=(
                        None if since is None else (v.time - since).total_seconds()
                    ),
                    run=v.run,
                )
            )


def _advance(
    v: Visit, state: CheckState, status: str, failing_time: Tally, using: str
) -> tuple[str, dt.datetime | None, bool]:
    """Move one state to ``status`` if it is still what this worker read.

    Returns (old status, since when it held, whether this worker flipped it).
    The UPDATE matches only the row as read, so of several workers that read
    it, one wins; a loser reads it again once, as another worker may only have
    counted failing time, which does not make its flip stale.
    """
    rows = CheckState.objects.using(using)
    for _attempt in range(2):
        if state.since > v.time or state.counted_until > v.time:
            break  # a newer run was written first; this one is history
        flip = status != state.status
        was_failing = state.status in FAILING
        if not flip and not was_failing:
            break
        values: dict[str, Any] = {"counted_until": v.time}
        if flip:
            values.update(status=status, since=v.time)
        matched = rows.filter(
            pk=state.pk,
            status=state.status,
            since=state.since,
            counted_until=state.counted_until,
        ).update(**values)
        if matched:
            if was_failing:
                end = min(v.time, state.counted_until + dt.timedelta(seconds=v.gap))
                failing_time.add_failing(
                    v.host, state.check_name, state.counted_until, end
                )
            return state.status, state.since, flip
        fresh = rows.filter(pk=state.pk).first()
        if fresh is None:
            break
        state = fresh
    return state.status, state.since, False
