"""Write a :class:`~.models.Delivery` for each status change and webhook that
wants it, in the transaction that writes the changes: a change without its
deliveries cannot exist, nor a delivery of a change that rolled back.

The body is made here, once: each attempt sends the same bytes. Messages
(which may hold a connection string or a secret) go in only for a webhook
whose ``messages`` is True.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.utils import timezone

from .config import Webhook
from .models import Delivery

if TYPE_CHECKING:
    from ..models import StatusChange

__all__ = ["body", "text", "write_changes"]

Messages = Mapping[str, list[dict[str, str]]]


def text(change: StatusChange) -> str:
    """One line for a chat room: what flipped, from what, to what."""
    what = f"{change.host} {change.check_name}" if change.check_name else change.host
    line = f"{what}: {change.old_status or 'new'} \u2192 {change.new_status}"
    if not change.check_name and change.failing_checks:
        line += f" (failing: {', '.join(change.failing_checks)})"
    return line


def body(change: StatusChange, hook: Webhook, messages: Messages) -> str:
    """The JSON a webhook gets for ``change``."""
    if hook.format == "slack":
        return json.dumps({"text": text(change)}, ensure_ascii=False)
    payload: dict[str, Any] = {
        "id": change.pk,
        "event": "status_changed",
        "host": change.host,
        "check": change.check_name,
        "old_status": change.old_status,
        "new_status": change.new_status,
        "time": change.time.astimezone(dt.timezone.utc).isoformat(),
        "previous_duration": change.previous_duration,
        "failing_checks": list(change.failing_checks),
        "text": text(change),
    }
    if hook.messages:
        names = [change.check_name] if change.check_name else change.failing_checks
        payload["messages"] = {
            name: messages[name] for name in names if name in messages
        }
    return json.dumps(payload, ensure_ascii=False)


def write_changes(
    changes: Sequence[StatusChange],
    hooks: Mapping[str, Webhook],
    messages: Messages,
    at: dt.datetime,
    using: str,
) -> int:
    """Write ``changes`` and their deliveries; how many deliveries.

    ``messages`` are the checks' messages of the run seen ``at``, by check
    name; flips replayed from a backlog (earlier) have none.
    """
    model = type(changes[0])
    if not hooks or connections[using].features.can_return_rows_from_bulk_insert:
        model.objects.using(using).bulk_create(changes)
    else:
        for change in changes:  # the deliveries need the changes' ids
            change.save(using=using, force_insert=True)
    if not hooks:
        return 0
    now = timezone.now()
    rows = [
        Delivery(
            change=change,
            webhook=hook.name,
            host=change.host,
            check_name=change.check_name,
            body=body(change, hook, messages if change.time == at else {}),
            created=now,
            next_try=now,
        )
        for change in changes
        for hook in hooks.values()
        if hook.wants(change.check_name, change.old_status, change.new_status)
    ]
    Delivery.objects.using(using).bulk_create(rows)
    return len(rows)
