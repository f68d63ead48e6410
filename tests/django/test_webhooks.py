"""Webhooks against a real HTTP receiver: a delivery per change and webhook,
written with the change; signed, keyed, in order, paced, retried, never
following a redirect; messages only where allowed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dockerflow.django import history
from dockerflow.django.conf import conf
from dockerflow.django.models import Delivery, StatusChange
from dockerflow.django.system_checks import check_settings
from dockerflow.django.webhooks.delivery import backoff, deliver_due, soonest
from dockerflow.django.webhooks.sender import sender
from tests.webhook_receiver import Receiver, receiver

from .history_helpers import run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on"),
]

SECRET = "s3cret"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def configure(r: Receiver, sender_on: bool = False, **entry: Any) -> Any:
    webhook = {"name": "ops", "url": r.url, "secret": SECRET, **entry}
    return override_settings(
        DOCKERFLOW_HISTORY_HOST="web-1",
        DOCKERFLOW_WEBHOOKS=[webhook],
        DOCKERFLOW_WEBHOOKS_SENDER=sender_on,
    )


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    yield
    assert sender.wait(10)
    sender.reset()
    history.writer.reset()


def send(**kwargs: Any) -> Any:
    return deliver_due(conf.webhooks, **kwargs)


def test_a_flip_writes_a_delivery_per_change_with_its_body(hook: Receiver) -> None:
    with configure(hook):
        history.record(run(0), source="http")
        assert Delivery.objects.count() == 0  # first seen healthy
        history.record(run(10, db="error"), source="http")
        changes = list(StatusChange.objects.order_by("id"))
        rows = list(Delivery.objects.order_by("id"))
        assert [r.change_id for r in rows] == [c.pk for c in changes]
        assert {r.state for r in rows} == {"pending"}
        sent = send()
    assert sent.delivered == 2
    got = hook.received
    assert [r.json["check"] for r in got] == ["", "db"]
    assert [r.headers["idempotency-key"] for r in got] == [str(c.pk) for c in changes]
    assert all(r.verifies(SECRET) for r in got)
    assert not got[0].verifies("another secret")
    db = got[1].json
    assert db["host"] == "web-1"
    assert (db["old_status"], db["new_status"]) == ("ok", "error")
    assert db["previous_duration"] == 10.0
    assert db["failing_checks"] == ["db"]
    assert "messages" not in db  # off unless the webhook allows them
    assert db["text"] == "web-1 db: ok \u2192 error"
    assert {r.state for r in Delivery.objects.all()} == {"delivered"}


def test_messages_only_when_allowed_and_slack_has_text(hook: Receiver) -> None:
    hooks = [
        {"name": "full", "url": hook.url, "secret": SECRET, "messages": True},
        {"name": "chat", "url": hook.url, "secret": SECRET, "format": "slack"},
    ]
    with override_settings(
        DOCKERFLOW_HISTORY_HOST="web-1",
        DOCKERFLOW_WEBHOOKS=hooks,
        DOCKERFLOW_WEBHOOKS_SENDER=False,
    ):
        history.record(run(0, db="critical"), source="http")
        send()
    bodies = hook.bodies()
    full = [b for b in bodies if "event" in b]
    chat = [b for b in bodies if "event" not in b]
    by_check = {b["check"]: b["messages"] for b in full}
    assert by_check["db"] == {"db": [{"id": "tests.db", "msg": "db is critical"}]}
    assert by_check[""] == by_check["db"]  # the host's: its failing checks'
    assert sorted(chat, key=str) == [
        {"text": "web-1 db: new \u2192 critical"},
        {"text": "web-1: new \u2192 critical (failing: db)"},
    ]


def test_only_changes_a_webhook_wants(hook: Receiver) -> None:
    with configure(hook, checks=["db"], min_status="critical"):
        history.record(run(0), source="http")
        history.record(run(10, cache="error"), source="http")  # not its check
        history.record(run(20, db="error"), source="http")  # below its floor
        history.record(run(30, db="critical"), source="http")
        history.record(run(40), source="http")  # the recovery it wants too
    assert [
        (d.check_name, d.change.new_status) for d in Delivery.objects.order_by("id")
    ] == [
        ("db", "critical"),
        ("db", "ok"),
    ]


def test_a_receiver_that_fails_is_retried_with_backoff_then_gets_it(
    hook: Receiver,
) -> None:
    hook.answer = 503
    with configure(hook, retry_max=2.0):
        history.record(run(0, db="error"), source="http")
        first = send()
        assert (first.delivered, first.retrying) == (0, 2)
        row = Delivery.objects.filter(check_name="db").get()
        assert row.attempts == 1 and row.last_status == 503
        assert row.next_try > timezone.now()
        assert "503" in row.last_error
        assert send().total == 0  # not due yet
        hook.answer = 200
        wait = soonest(conf.webhooks)
        assert wait is not None and 0 < wait <= 2.0
        time.sleep(2.05)  # the longest the jitter may make either wait
        assert send().delivered == 2
    keys = [r.headers["idempotency-key"] for r in hook.received]
    assert sorted(keys) == sorted(keys[:2] * 2)  # the same keys again
    assert {d.state for d in Delivery.objects.all()} == {"delivered"}


def test_too_old_a_delivery_fails_for_good(hook: Receiver) -> None:
    hook.answer = 500
    with configure(hook, max_age=1.0):
        history.record(run(0, db="error"), source="http")
        Delivery.objects.update(created=timezone.now() - dt.timedelta(seconds=5))
        assert send().failed == 2
        assert send().total == 0
    assert {d.state for d in Delivery.objects.all()} == {"failed"}


def test_a_redirect_is_not_followed(hook: Receiver) -> None:
    hook.answer, hook.location = 302, hook.url + "/elsewhere"
    with configure(hook):
        history.record(run(0, db="error"), source="http")
        assert send().retrying == 2
    assert [r.path for r in hook.received] == ["/hook", "/hook"]
    assert Delivery.objects.filter(last_status=302).count() == 2


def test_a_hung_receiver_costs_the_timeout(hook: Receiver) -> None:
    hook.answer = "hang"
    with configure(hook, timeout=0.5, checks=["db"]):
        history.record(run(0, db="error"), source="http")
        started = time.monotonic()
        assert send().retrying == 1
    assert time.monotonic() - started < 0.5 + 2.0
    assert "timed out" in Delivery.objects.get().last_error


def test_one_checks_flips_go_in_order_one_at_a_time(hook: Receiver) -> None:
    hook.down()
    with configure(hook, checks=["db"], retry_max=0.2):
        for i, status in enumerate(["error", "ok", "error", "ok"]):
            history.record(run(10 * i, db=status), source="http")
        assert send().retrying == 1  # only the oldest is claimed
        hook.up()
        deadline = time.monotonic() + 20
        while Delivery.objects.filter(state="pending").exists():
            assert time.monotonic() < deadline
            send()
            time.sleep(0.05)
    assert [b["new_status"] for b in hook.bodies()] == ["error", "ok", "error", "ok"]


def test_the_pace_bounds_every_sender_together(hook: Receiver) -> None:
    with configure(hook, per_minute=60.0, burst=2):
        for i in range(3):
            with override_settings(DOCKERFLOW_HISTORY_HOST=f"web-{i}"):
                history.record(run(0, db="error"), source="http")
        assert Delivery.objects.count() == 6
        assert send().delivered == 2  # the burst
        assert send().delivered == 0
        wait = soonest(conf.webhooks)
        assert wait is not None and 0.5 < wait <= 1.0
    times = [r.at for r in hook.received]
    assert len(times) == 2


def test_the_workers_sender_delivers_on_its_own(hook: Receiver) -> None:
    with configure(hook, sender_on=True):
        history.record(run(0, db="error"), source="http")
        got = hook.wait_for(2, timeout=10)
    assert len(got) == 2
    assert sender.wait(10)


def test_the_command_delivers_what_is_due(hook: Receiver, capsys: Any) -> None:
    with configure(hook):
        history.record(run(0, db="error"), source="http")
        call_command("dockerflow_deliver")
    assert "Delivered 2, 0 to retry, 0 failed" in capsys.readouterr().out
    assert len(hook.received) == 2


@pytest.mark.parametrize(
    "value, says",
    [
        ("https://x", "must be a list"),
        ([{"url": "https://x", "secret": "k"}], "needs 'name'"),
        ([{"name": "a", "url": "ftp://x", "secret": "k"}], "'url'"),
        ([{"name": "a", "url": "https://x", "secret": ""}], "needs 'secret'"),
        ([{"name": "a", "url": "https://x", "secret": "k", "colour": 1}], "unknown"),
        ([{"name": "a", "url": "https://x", "secret": "k", "timeout": 0}], "timeout"),
        (
            [{"name": "a", "url": "https://x", "secret": "k", "min_status": "bad"}],
            "min_status",
        ),
        ([{"name": "a", "url": "https://x", "secret": "k"}] * 2, "repeats"),
    ],
)
def test_a_broken_webhook_is_reported(value: Any, says: str) -> None:
    with override_settings(DOCKERFLOW_WEBHOOKS=value):
        errors = [e for e in check_settings() if e.id == "dockerflow.E060"]
    assert len(errors) == 1 and says in errors[0].msg


def test_backoff_grows_with_jitter_up_to_its_cap() -> None:
    waits = [backoff(n, 300.0) for n in range(1, 12)]
    assert 0.5 <= waits[0] <= 1.0
    assert 8.0 <= waits[4] <= 16.0
    assert all(150.0 <= w <= 300.0 for w in waits[9:])
    assert json.dumps(waits)  # finite numbers
