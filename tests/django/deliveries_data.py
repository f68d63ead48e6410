"""Webhook deliveries in each state, made the way production makes them:
flips recorded by the history, then sent to real receivers.

Per host, its db check fails at +10 s and recovers at +20 s: two changes
(the host's and the check's) each time, to each of three webhooks. After
one pass of the sender, the first flip is *delivered* to ``ops`` (messages
allowed), *pending* after a 503 to ``chat`` (Slack format), and *failed* to
``old`` (its ``max_age`` is over at once); the recovery is pending
everywhere, never tried, behind the first (one check's flips go in order).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.conf import conf
from dockerflow.django.webhooks.delivery import deliver_due
from tests.webhook_receiver import receiver

from .history_helpers import run

SECRET = "s3cret"
HOOKS = ("chat", "old", "ops")


@contextmanager
def webhooks() -> Iterator[None]:
    """The three webhooks configured, as the seeded rows name them."""
    with receiver() as ok, receiver() as failing:
        failing.answer = 503
        entries: list[dict[str, Any]] = [
            {"name": "ops", "url": ok.url, "messages": True},
            {"name": "chat", "url": failing.url, "format": "slack"},
            {"name": "old", "url": failing.url, "max_age": 0.001},
        ]
        for entry in entries:
            entry["secret"] = SECRET
        with override_settings(
            DOCKERFLOW_HISTORY="all",
            DOCKERFLOW_HISTORY_FLUSH_SECONDS=0,
            DOCKERFLOW_WEBHOOKS=entries,
            DOCKERFLOW_WEBHOOKS_SENDER=False,
        ):
            yield


def seed(hosts: tuple[str, ...] = ("web-1", "web-2")) -> None:
    """Record each host's flips and send once; see the module's docstring."""
    for host in hosts:
        with override_settings(DOCKERFLOW_HISTORY_HOST=host):
            history.record(run(0), source="http")
            history.record(run(10, db="error"), source="http")
    deliver_due(conf.webhooks)
    for host in hosts:
        with override_settings(DOCKERFLOW_HISTORY_HOST=host):
            history.record(run(20), source="http")
