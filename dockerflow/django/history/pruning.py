"""Retention: old history rows deleted in small batches, never one huge DELETE.

Runs older than DOCKERFLOW_HISTORY_RETENTION_DAYS go, except the last
DOCKERFLOW_HISTORY_KEEP_FAILED failures of each host and check, which are
kept with their messages however old; changes and aggregates have their own.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..conf import conf
from ..models import (
    FAILING,
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    Period,
    StatusChange,
)

__all__ = ["Pruned", "claim", "protected_runs", "prune", "prune_in_background"]

logger = logging.getLogger("dockerflow.history")

#: Rows per DELETE: small enough that a batch holds its locks briefly.
BATCH_SIZE = 500
#: Hour buckets are kept this long: enough for a 30-day picture by hour.
HOUR_BUCKET_DAYS = 35
#: Batches an automatic prune may delete per table; cron does the rest.
AUTOMATIC_BATCHES = 20


@dataclass
class Pruned:
    """How many rows a prune deleted, by table, and whether it finished."""

    runs: int = 0
    changes: int = 0
    aggregates: int = 0
    states: int = 0
    complete: bool = True
    #: Old runs kept because they hold a host's and check's last failures.
    kept_failures: int = 0

    @property
    def total(self) -> int:
        return self.runs + self.changes + self.aggregates + self.states


def protected_runs(using: str, keep: int) -> set[int]:
    """Ids of the runs holding the last ``keep`` failures of each host and check."""
    if keep <= 0:
        return set()
    ranked = (
        CheckRun.objects.using(using)
        .filter(status__in=FAILING)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("host"), F("name")],
                order_by=[F("time").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=keep)
        .values_list("run_id", flat=True)
    )
    return set(ranked)


Chunk = Callable[[int], tuple[int | None, int, list[int]]]


def _batched(
    chunk: Chunk, model: type[Any], batches: int | None, using: str, dry_run: bool
) -> tuple[int, int, bool]:
    """Delete, a batch per transaction, what ``chunk(after)`` names.

    ``chunk`` gives the last primary key it read (None when there is nothing
    left), how many it read, and the keys to delete: kept rows still move the
    cursor, so they are never read twice. Returns (deleted, kept, complete).
    """
    deleted = kept = done = after = 0
    while batches is None or done < batches:
        last, read, doomed = chunk(after)
        if last is None:
            return deleted, kept, True
        if doomed and not dry_run:
            with transaction.atomic(using=using):
                model.objects.using(using).filter(pk__in=doomed).delete()
        deleted, kept = deleted + len(doomed), kept + read - len(doomed)
        after, done = last, done + 1
    return deleted, kept, False


def _chunks(
    queryset: QuerySet[Any], size: int, keep: set[int] | frozenset[int]
) -> Chunk:
    def chunk(after: int) -> tuple[int | None, int, list[int]]:
        pks = list(
            queryset.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not pks:
            return None, 0, []
        return pks[-1], len(pks), [pk for pk in pks if pk not in keep]

    return chunk


Work = list[tuple[str, type[Any], QuerySet[Any], set[int] | frozenset[int]]]


def _too_old(using: str, now: dt.datetime) -> Work:
    """What each table holds past its retention, and the rows it keeps anyway."""
    settings = conf.history
    keep = protected_runs(using, settings.keep_failed)
    run_cutoff = now - dt.timedelta(days=settings.retention_days)
    change_cutoff = now - dt.timedelta(days=settings.changes_retention_days)
    day_cutoff = now - dt.timedelta(days=settings.aggregate_retention_days)
    hour_cutoff = now - dt.timedelta(days=HOUR_BUCKET_DAYS)
    db = {
        model: model.objects.using(using)
        for model in (HeartbeatRun, StatusChange, HeartbeatAggregate, CheckState)
    }
    # A host unseen for the whole run retention is a replica that was
    # replaced. Only its host row says when it was last seen.
    gone = (
        db[CheckState]
        .filter(check_name="", seen_at__lt=run_cutoff)
        .exclude(host="")
        .values("host")
    )
    return [
        ("runs", HeartbeatRun, db[HeartbeatRun].filter(time__lt=run_cutoff), keep),
        (
            "changes",
            StatusChange,
            db[StatusChange].filter(time__lt=change_cutoff),
            frozenset(),
        ),
        (
            "aggregates",
            HeartbeatAggregate,
            db[HeartbeatAggregate].filter(
                Q(period=Period.DAY, start__lt=day_cutoff)
                | Q(period=Period.HOUR, start__lt=hour_cutoff)
                # Its all-time counters go with its states, before them.
                | Q(period=Period.TOTAL, host__in=gone)
            ),
            frozenset(),
        ),
        ("states", CheckState, db[CheckState].filter(host__in=gone), frozenset()),
    ]


def prune(
    *,
    now: dt.datetime | None = None,
    using: str | None = None,
    batches: int | None = None,
    batch_size: int = BATCH_SIZE,
    dry_run: bool = False,
) -> Pruned:
    """Delete what the retention settings say is too old.

    ``batches`` bounds the batches per table (None: until done); a prune
    that stops early says so with ``complete=False``, and the next goes on.
    ``dry_run`` counts what would go and deletes nothing.
    """
    using = using or router.db_for_write(HeartbeatRun)
    result = Pruned()
    work = _too_old(using, now or timezone.now())
    for name, model, queryset, kept in work:
        deleted, skipped, complete = _batched(
            _chunks(queryset, batch_size, kept), model, batches, using, dry_run
        )
        setattr(result, name, deleted)
        result.kept_failures += skipped
        result.complete = result.complete and complete
    return result


def claim(using: str, now: dt.datetime, every: float) -> bool:
    """Whether this process prunes now: one process per ``every`` seconds.

    The claim is a conditional UPDATE of the marker row, host "", so of all
    the replicas sharing the database only one wins each period.
    """
    rows = CheckState.objects.using(using).filter(host="", check_name="")
    if rows.filter(seen_at__lte=now - dt.timedelta(seconds=every)).update(seen_at=now):
        return True
    if rows.exists():
        return False
    try:
        with transaction.atomic(using=using):
            CheckState.objects.using(using).create(
                host="",
                check_name="",
                status="ok",
                since=now,
                seen_at=now,
                counted_until=now,
            )
    except IntegrityError:
        return False
    return True


#: The last automatic prune's thread, so tests can wait for it.
last_thread: threading.Thread | None = None


def _prune_claimed(using: str, every: float) -> None:
    try:
        if claim(using, timezone.now(), every):
            pruned = prune(using=using, batches=AUTOMATIC_BATCHES)
            logger.info(
                "History pruned: %d rows",
                pruned.total,
                extra={
                    "complete": pruned.complete,
                    "kept_failures": pruned.kept_failures,
                },
            )
    except Exception as exc:
        logger.warning("History pruning failed: %s: %s", type(exc).__name__, exc)
    finally:
        # This thread's own connections; a request thread's are untouched.
        connections.close_all()


def prune_in_background(using: str, every: float) -> threading.Thread:
    """Prune on a daemon thread, so no heartbeat waits for a DELETE."""
    global last_thread
    thread = threading.Thread(
        target=_prune_claimed, args=(using, every), name="dockerflow-prune", daemon=True
    )
    thread.start()
    last_thread = thread
    return thread
