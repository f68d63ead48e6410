"""Webhook senders racing on PostgreSQL, where claims take row locks with
``FOR UPDATE SKIP LOCKED``: every row is sent once, whoever sends it.

Collected only when DOCKERFLOW_TEST_DATABASE=postgres (see conftest.py).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.models import Delivery
from tests.webhook_receiver import Receiver

from .history_helpers import run
from .test_webhooks import configure, fresh, hook, send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on", "fresh"),
]
__all__ = ["fresh", "hook"]


def test_senders_racing_never_send_one_row_twice(hook: Receiver) -> None:
    with configure(hook, per_minute=6000.0, burst=50, checks=["db"]):
        for i in range(12):
            with override_settings(DOCKERFLOW_HISTORY_HOST=f"web-{i}"):
                history.record(run(0, db="error"), source="http")
        errors: list[str] = []

        def race() -> None:
            deadline = time.monotonic() + 20
            try:
                while time.monotonic() < deadline:
                    try:
                        send(batch=3)
                        if not Delivery.objects.filter(state="pending").exists():
                            return
                    except Exception as exc:
                        errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connection.close()

        threads = [threading.Thread(target=race) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    keys = [r.headers["idempotency-key"] for r in hook.received]
    assert len(keys) == 12 and len(set(keys)) == 12, (keys, errors)
    assert Delivery.objects.filter(state="delivered").count() == 12
