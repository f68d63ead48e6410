"""``status_changed``: one signal per status change row, sent by the process
that wrote it once its transaction commits; a receiver that raises harms
nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.models import StatusChange
from dockerflow.django.signals import status_changed

from .history_helpers import at, run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on", "one_host"),
]


@pytest.fixture
def one_host() -> Iterator[None]:
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-1"):
        yield
    history.writer.reset()


class Heard:
    """A receiver that keeps what it was sent, and where and when."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        kwargs["sender"] = sender
        kwargs["in_transaction"] = connection.in_atomic_block
        kwargs["thread"] = threading.current_thread()
        self.calls.append(kwargs)

    def flips(self) -> list[tuple[float, str, str, str]]:
        return [
            (
                (c["time"] - at(0)).total_seconds(),
                c["check"],
                c["old_status"],
                c["new_status"],
            )
            for c in self.calls
        ]


@pytest.fixture
def heard() -> Iterator[Heard]:
    receiver = Heard()
    status_changed.connect(receiver)
    yield receiver
    status_changed.disconnect(receiver)


def test_a_flip_of_a_check_and_the_host_sends_one_signal_per_row(
    heard: Heard,
) -> None:
    history.record(run(0), source="http")
    assert heard.calls == []  # first seen healthy: not a change
    history.record(run(10, db="error"), source="http")
    rows = list(StatusChange.objects.order_by("time", "check_name"))
    assert [(c.check_name, c.old_status, c.new_status) for c in rows] == [
        ("", "ok", "error"),
        ("db", "ok", "error"),
    ]
    assert [call["change"].pk for call in heard.calls] == [c.pk for c in rows]
    host, check = heard.calls
    assert host["check"] == "" and check["check"] == "db"
    assert check["sender"] is StatusChange
    assert check["host"] == "web-1"
    assert (check["old_status"], check["new_status"]) == ("ok", "error")
    assert check["time"] == at(10)
    assert check["previous_duration"] == 10.0
    assert check["failing_checks"] == ["db"]
    assert check["using"] == "default"
    assert check["in_transaction"] is False  # after the commit
    history.record(run(25), source="http")
    assert heard.flips()[2:] == [(25.0, "", "error", "ok"), (25.0, "db", "error", "ok")]
    assert heard.calls[-1]["previous_duration"] == 15.0
    assert heard.calls[-1]["failing_checks"] == []
    assert len(heard.calls) == StatusChange.objects.count() == 4


def test_a_host_first_seen_failing_sends_its_changes_from_nothing(
    heard: Heard,
) -> None:
    history.record(run(0, db="critical"), source="http")
    assert [(c["check"], c["old_status"], c["new_status"]) for c in heard.calls] == [
        ("", "", "critical"),
        ("db", "", "critical"),
    ]
    assert [c["previous_duration"] for c in heard.calls] == [None, None]


def test_runs_that_change_nothing_send_nothing(heard: Heard) -> None:
    with override_settings(DOCKERFLOW_HISTORY="all"):
        for second in range(0, 50, 10):
            history.record(run(second), source="http")
        history.record(run(50, cache="warning"), source="http")
        for second in range(60, 100, 10):
            history.record(run(second, cache="warning"), source="http")
    assert heard.flips() == [
        (50.0, "", "ok", "warning"),
        (50.0, "cache", "ok", "warning"),
    ]


def test_nothing_is_sent_when_the_transaction_rolls_back(heard: Heard) -> None:
    history.record(run(0), source="http")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        history.record(run(10, db="error"), source="http")
        assert StatusChange.objects.count() == 2  # written, not yet committed
        assert heard.calls == []
        raise Abort
    assert StatusChange.objects.count() == 0
    assert heard.calls == []


def test_the_writer_thread_sends_what_it_wrote(heard: Heard) -> None:
    with override_settings(DOCKERFLOW_HISTORY_QUEUE=10):
        history.submit(run(0), source="http")
        history.submit(run(10, db="error"), source="http")
        assert history.drain(timeout=30)
    assert heard.flips() == [(10.0, "", "ok", "error"), (10.0, "db", "ok", "error")]
    assert {c["thread"] for c in heard.calls} != {threading.current_thread()}
    assert [c["change"].pk for c in heard.calls] == sorted(
        StatusChange.objects.values_list("pk", flat=True)
    )


def test_a_receiver_that_raises_is_logged_and_the_next_still_gets_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver is broken")

    after = Heard()
    status_changed.connect(broken)
    status_changed.connect(after)
    try:
        history.record(run(0), source="http")
        with caplog.at_level(logging.ERROR, logger="dockerflow.history"):
            stored = history.record(run(10, db="error"), source="http")
    finally:
        status_changed.disconnect(broken)
        status_changed.disconnect(after)
    assert stored is not None
    assert after.flips() == [(10.0, "", "ok", "error"), (10.0, "db", "ok", "error")]
    assert StatusChange.objects.count() == 2  # kept
    errors = [r for r in caplog.records if r.name == "dockerflow.history"]
    assert len(errors) == 2  # one per change
    assert "RuntimeError" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert "receiver is broken" in caplog.text  # the traceback
