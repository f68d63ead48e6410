"""One database visit of the recorder: store the run if it is due, record the
flips, count failing time, and add the counters, all in one transaction.

Concurrent workers of one host agree through conditional UPDATEs on
:class:`~dockerflow.django.models.CheckState`: only the worker whose UPDATE
matched records a flip, so no change row is ever written twice, and only it
sends :data:`~dockerflow.django.signals.status_changed`, once the visit commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from ..conf import conf
from ..models import FAILING, CheckRun, CheckState, HeartbeatRun, StatusChange
from ..signals import announce_changes
from ..webhooks.outbox import write_changes
from .aggregates import Tally, flush, status_counter
from .seen import Seen, Sighting, messages
from .states import create_missing, states_of

__all__ = ["Visit", "unchanged", "visit"]

#: What a visit does with the run: store it, store it if it changed or a
#: sample is due, or only count it. VERIFY: the process's memory says the
#: run changed nothing; the writer checks that against the database first
#: (:func:`unchanged`), as another process of the host may have flipped it.
ALWAYS, IF_DUE, NEVER, VERIFY = "always", "if-due", "never", "verify"


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
    #: This process knows nothing of the host yet: its states are created
    #: (where missing) before they are read, which saves a first run a SELECT.
    first: bool = False
    #: Filled in by :func:`visit`.
    run: HeartbeatRun | None = None
    known_signature: str = ""
    known_stored_at: dt.datetime | None = None
    changes: list[StatusChange] = field(default_factory=list)
    #: Webhook deliveries written beside the changes.
    deliveries: int = 0

    @property
    def host(self) -> str:
        return self.seen.host

    @property
    def time(self) -> dt.datetime:
        return self.seen.time


def visit(
    v: Visit, tally: Tally, using: str, backlog: Sequence[Sighting] = ()
) -> Visit:
    """Write what ``v`` says and ``tally``; ``v`` gets what was written.

    ``backlog`` is what the recorder saw while the database was out of
    reach: its flips are recorded first, at the times they happened.
    """
    failing_time = Tally()
    now = v.seen.sighting()
    moments = [*backlog, now]
    with transaction.atomic(using=using):
        states = {} if v.first else states_of(v.host, using)
        stamp = None if v.store == NEVER else v.seen.signature
        created = create_missing(v.host, moments, states, using, stamp)
        for earlier in backlog:
            _track(v, earlier, None, states, created, failing_time, using)
        # Flips written from the backlog make the last stored run stale.
        _claim(v, states, created.get("") is now, using, stale=bool(v.changes))
        if v.run is not None:
            _write_checks(v, using)
        _track(v, now, v.run, states, created, failing_time, using)
        _mark_seen(v, now, states, using)
        if v.changes:
            found = {name: messages(check) for name, check in v.seen.checks}
            v.deliveries = write_changes(v.changes, conf.webhooks, found, v.time, using)
            announce_changes(v.changes, using)
        failing_time.merge(tally)
        flush(failing_time, using)
    return v


def unchanged(v: Visit, using: str) -> bool:
    """Whether the host's states hold what ``v``'s run shows, so it needs no
    visit; ``v`` gets the host's stored signature either way.

    One indexed SELECT, no transaction and no lock. Another worker of the
    host may have stored a run (the signature) or flipped a check without
    storing one (a counters' visit): either makes this run a flip to write.
    """
    statuses: dict[str, str] = {}
    rows = CheckState.objects.using(using).filter(host=v.host)
    for name, status, signature, stored_at in rows.values_list(
        "check_name", "status", "signature", "stored_at"
    ):
        statuses[name] = status
        if not name:
            v.known_signature, v.known_stored_at = signature, stored_at
    shown = v.seen.sighting().statuses
    return v.known_signature == v.seen.signature and all(
        statuses.get(name) == status for name, status in shown.items()
    )


def _claim(
    v: Visit,
    states: dict[str, CheckState],
    new: bool,
    using: str,
    stale: bool = False,
) -> None:
    """Decide whether this worker stores the run, and store it if so.

    ``new``: this worker created the host's state for this very run.
    ``stale``: the host's last stored run is older than a flip, so this run
    is stored even if it matches that run.
    """
    host_state = states.get("")
    if host_state is None:
        return  # deleted under this visit: nothing to claim
    rows = CheckState.objects.using(using).filter(pk=host_state.pk)
    stamp = {"signature": v.seen.signature, "stored_at": v.time}
    if new:
        stored = v.store != NEVER  # stamped as it was created
    elif v.store == ALWAYS or (stale and v.store == IF_DUE):
        rows.update(seen_at=v.time, **stamp)
        stored = True
    elif v.store == IF_DUE:
        due = (
            Q(stored_at__isnull=True)
            | Q(stored_at__lte=v.time - dt.timedelta(seconds=v.sample))
            | ~Q(signature=v.seen.signature)
        )
        stored = bool(rows.filter(due).update(seen_at=v.time, **stamp))
    else:
        stored = False
    if not stored and not new:
        rows.filter(seen_at__lt=v.time).update(seen_at=v.time)
        v.known_signature = host_state.signature
        v.known_stored_at = host_state.stored_at
    if stored:
        v.known_signature, v.known_stored_at = v.seen.signature, v.time
        v.run = _store_run(v, using)


def _mark_seen(
    v: Visit, moment: Sighting, states: dict[str, CheckState], using: str
) -> None:
    """Mark seen each reported check whose mark is a sample interval old.

    The claim marks the host at every visit; a check's mark may lag it by
    up to that interval, well inside the two intervals after which the
    admin counts it gone, and most visits of the "all" mode need no UPDATE.
    """
    due = v.time - dt.timedelta(seconds=v.sample)
    stale = [
        state.pk
        for name, state in states.items()
        if name and name in moment.statuses and state.seen_at <= due
    ]
    if stale:
        rows = CheckState.objects.using(using).filter(pk__in=stale)
        rows.filter(seen_at__lt=v.time).update(seen_at=v.time)


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
    moment: Sighting,
    run: HeartbeatRun | None,
    states: dict[str, CheckState],
    created: dict[str, Sighting],
    failing_time: Tally,
    using: str,
) -> None:
    """Record each flip of ``moment`` once, and count failing time up to it,
    exactly once; ``states`` follows what this worker wrote."""
    for name, status in sorted(moment.statuses.items()):
        state = states.get(name)
        if created.get(name) is moment:
            # First seen: not a flip, unless it starts out unhealthy, so
            # "failing since" is known from the start.
            old, since, changed = "", None, status != "ok"
        elif state is not None:
            old, since, changed = _advance(
                v, moment.time, state, status, failing_time, using
            )
        else:
            continue  # deleted under this visit
        if changed:
            v.changes.append(
                StatusChange(
                    time=moment.time,
                    host=v.host,
                    check_name=name,
                    old_status=old,
                    new_status=status,
                    failing_checks=moment.failing,
                    previous_duration=(
                        None if since is None else (moment.time - since).total_seconds()
                    ),
                    run=run,
                )
            )


def _advance(
    v: Visit,
    at: dt.datetime,
    state: CheckState,
    status: str,
    failing_time: Tally,
    using: str,
) -> tuple[str, dt.datetime | None, bool]:
    """Move one state to ``status`` at ``at`` if it is still what this worker read.

    Returns (old status, since when it held, whether this worker flipped it),
    and leaves ``state`` as the row now is. The UPDATE matches only the row
    as read, so of several workers that read it, one wins; a loser reads it
    again once, as another worker may only have counted failing time, which
    does not make its flip stale.
    """
    rows = CheckState.objects.using(using)
    for _attempt in range(2):
        if state.since > at or state.counted_until > at:
            break  # a newer run was written first; this one is history
        flip = status != state.status
        was_failing = state.status in FAILING
        if not flip and not was_failing:
            break
        values: dict[str, Any] = {"counted_until": at}
        if flip:
            values.update(status=status, since=at)
        matched = rows.filter(
            pk=state.pk,
            status=state.status,
            since=state.since,
            counted_until=state.counted_until,
        ).update(**values)
        if matched:
            old, since, until = state.status, state.since, state.counted_until
            if was_failing:
                end = min(at, until + dt.timedelta(seconds=v.gap))
                failing_time.add_failing(v.host, state.check_name, until, end)
            for key, value in values.items():
                setattr(state, key, value)
            return old, since, flip
        fresh = rows.filter(pk=state.pk).first()
        if fresh is None:
            break
        for key in ("status", "since", "counted_until"):
            setattr(state, key, getattr(fresh, key))
    return state.status, state.since, False
