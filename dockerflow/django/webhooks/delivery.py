"""Claim due deliveries, send them, and write down what the receiver said.

A claim is a lease: the row's ``claimed_until``, set by a conditional UPDATE
(after ``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it), so two
senders never send one row while its lease lasts. A sender killed mid-send
leaves the lease to run out; the row is then sent again, with the same body
and idempotency key. For one host and check, a row is claimed only when no
earlier one is pending, so a receiver gets one check's flips in order. Each
webhook's pace (:class:`~.models.WebhookPace`) bounds the rate of all
senders together.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .config import Webhook
from .models import Delivery, DeliveryState, WebhookPace
from .sending import Answer, post

__all__ = ["Sent", "backoff", "deliver_due", "soonest"]

logger = logging.getLogger("dockerflow.webhooks")

PENDING = DeliveryState.PENDING
#: Rows one pass may claim per webhook, at most.
BATCH = 20
#: Waits between tries to write down an attempt's outcome (None: give up).
SETTLE_PAUSES = (0.05, 0.2, 1.0, None)
#: The first retry's delay, doubled after each failure up to ``retry_max``.
FIRST_RETRY = 1.0


@dataclass
class Sent:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.failed

    def add(self, other: Sent) -> None:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed


def backoff(attempts: int, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: exponential, capped,
    with jitter over its upper half so senders of many rows spread out."""
    ceiling = min(cap, FIRST_RETRY * 2.0 ** min(attempts - 1, 30))
    return random.uniform(ceiling / 2, ceiling)


def _eligible(hook: Webhook, using: str) -> QuerySet[Delivery]:
    """The hook's pending rows with no earlier pending row of their check."""
    rows = Delivery.objects.using(using)
    earlier = rows.filter(
        webhook=hook.name,
        state=PENDING,
        host=OuterRef("host"),
        check_name=OuterRef("check_name"),
        id__lt=OuterRef("id"),
    )
    return rows.filter(webhook=hook.name, state=PENDING).exclude(Exists(earlier))


def _pace(hook: Webhook, using: str) -> WebhookPace | None:
    rows = WebhookPace.objects.using(using).filter(webhook=hook.name)
    if connections[using].features.has_select_for_update_skip_locked:
        # Another sender is claiming for this webhook: leave it to it.
        rows = rows.select_for_update(skip_locked=True)
    return rows.first()


def _claim(hook: Webhook, using: str, batch: int) -> list[Delivery]:
    WebhookPace.objects.using(using).get_or_create(
        webhook=hook.name, defaults={"allowed_at": timezone.now()}
    )
    interval = dt.timedelta(seconds=60.0 / hook.per_minute)
    with transaction.atomic(using=using):
        now = timezone.now()
        pace = _pace(hook, using)
        if pace is None:
            return []
        start = max(pace.allowed_at, now)
        room = min(batch, int((now + hook.burst * interval - start) / interval))
        if room <= 0:
            return []
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        due = _eligible(hook, using).filter(free, next_try__lte=now).order_by("id")
        if connections[using].features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        lease = now + dt.timedelta(seconds=2 * hook.timeout + 5)
        claimed = []
        for row in due[:room]:
            held = Delivery.objects.using(using).filter(pk=row.pk, state=PENDING)
            if held.filter(free).update(
                claimed_until=lease, attempts=F("attempts") + 1
            ):
                row.claimed_until, row.attempts = lease, row.attempts + 1
                claimed.append(row)
        if claimed:
            moved = WebhookPace.objects.using(using).filter(
                pk=pace.pk, allowed_at=pace.allowed_at
            )
            if not moved.update(allowed_at=start + len(claimed) * interval):
                # Another sender moved the pace under us (no row locks here):
                # give the claims back rather than exceed the rate.
                transaction.set_rollback(True, using=using)
                return []
    return claimed


def _settle(hook: Webhook, row: Delivery, answer: Answer, using: str) -> str:
    now = timezone.now()
    values: dict[str, Any] = {
        "claimed_until": None,
        "last_status": answer.status,
        "last_error": answer.error,
    }
    if answer.ok:
        values.update(state=DeliveryState.DELIVERED, delivered_at=now)
    elif (now - row.created).total_seconds() >= hook.max_age:
        values.update(state=DeliveryState.FAILED)
    else:
        wait = backoff(row.attempts, hook.retry_max)
        values.update(next_try=now + dt.timedelta(seconds=wait))
    mine = Delivery.objects.using(using).filter(
        pk=row.pk, state=PENDING, claimed_until=row.claimed_until
    )
    _write_down(mine, values)
    state = values.get("state", "retrying")
    if not answer.ok:
        logger.warning(
            "Webhook %s: delivery %d failed: %s",
            hook.name,
            row.pk,
            answer.error,
            extra={"attempts": row.attempts, "state": state},
        )
    return str(state)


def _write_down(rows: QuerySet[Delivery], values: dict[str, Any]) -> None:
    """Record an attempt, through a brief database blip: a POST that arrived
    but was not written down is sent again once its lease runs out."""
    for pause in SETTLE_PAUSES:
        try:
            rows.update(**values)
            return
        except DatabaseError:
            if pause is None:
                raise
            time.sleep(pause)


def deliver_due(
    hooks: dict[str, Webhook], using: str | None = None, *, batch: int = BATCH
) -> Sent:
    """Send what is due to each of ``hooks``, within its rate; what happened."""
    using = using or router.db_for_write(Delivery)
    sent = Sent()
    for hook in hooks.values():
        for row in _claim(hook, using, batch):
            answer = post(hook, row.body, str(row.change_id), row.pk)
            state = _settle(hook, row, answer, using)
            if state == DeliveryState.DELIVERED:
                sent.delivered += 1
            elif state == DeliveryState.FAILED:
                sent.failed += 1
            else:
                sent.retrying += 1
    return sent


def soonest(hooks: dict[str, Webhook], using: str | None = None) -> float | None:
    """Seconds until a delivery may be sendable (0 if one is now), or None
    when none of ``hooks`` has any pending."""
    using = using or router.db_for_write(Delivery)
    now = timezone.now()
    best: float | None = None
    for hook in hooks.values():
        ready = _eligible(hook, using).aggregate(
            at=Min(Greatest("next_try", Coalesce("claimed_until", "next_try")))
        )["at"]
        if ready is None:
            continue
        pace = WebhookPace.objects.using(using).filter(webhook=hook.name).first()
        if pace is not None:
            step = 60.0 / hook.per_minute
            allowed = pace.allowed_at - dt.timedelta(seconds=(hook.burst - 1) * step)
            ready = max(ready, allowed)
        wait = max(0.0, (ready - now).total_seconds())
        best = wait if best is None else min(best, wait)
    return best
