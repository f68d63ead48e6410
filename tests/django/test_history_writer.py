"""The writer thread: a heartbeat never waits for the history's database, a full
queue drops its oldest runs (counted, logged once a burst, their flips kept),
and a drain stores what is queued within its bound.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client, override_settings

from dockerflow.django import history
from dockerflow.django.models import HeartbeatAggregate, HeartbeatRun, StatusChange

from .conftest import check_paths
from .history_helpers import at, run

pytestmark = [pytest.mark.django_db(transaction=True)]

QUEUE = 3


@pytest.fixture
def queued() -> Iterator[None]:
    with override_settings(
        DOCKERFLOW_HISTORY="changes",
        DOCKERFLOW_HISTORY_HOST="web-q",
        DOCKERFLOW_HISTORY_QUEUE=QUEUE,
    ):
        yield
    history.drain(timeout=10)
    history.writer.reset()


@pytest.fixture
def slow_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every write waits for the event: a database slower than the runs."""
    release = threading.Event()
    write = history.recorder.write

    def slow(pending: Any) -> Any:
        release.wait(timeout=30)
        try:
            return write(pending)
        finally:
            connections.close_all()

    monkeypatch.setattr(history.recorder, "write", slow)
    yield release
    release.set()


def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "not within the time bound"
        time.sleep(0.01)


def drops(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]


@pytest.mark.usefixtures("queued")
def test_a_run_is_stored_by_the_writer_after_submit_returns() -> None:
    history.submit(run(0, db="error"), source="http", http_status=500)
    assert history.drain(timeout=10)
    assert HeartbeatRun.objects.filter(host="web-q").count() == 1
    assert history.writer.written == 1
    assert history.writer.dropped == 0


@pytest.mark.usefixtures("queued")
def test_a_full_queue_drops_the_oldest_runs_counts_them_and_keeps_their_flips(
    slow_database: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    runs = 10
    history.submit(run(0), source="http")
    wait_until(lambda: history.writer.busy)  # taken, and waiting
    started = time.monotonic()
    for number in range(1, runs):  # every run flips the db check
        status = "error" if number % 2 else "ok"
        history.submit(run(number * 10, db=status), source="http")
    assert time.monotonic() - started < 5.0  # no submit waited for the database
    dropped = runs - 1 - QUEUE  # one is being stored, QUEUE wait
    assert history.writer.dropped == dropped
    assert history.writer.queued == QUEUE
    assert drops(caplog) == []  # one record when the burst is over
    slow_database.set()
    assert history.drain(timeout=10)
    assert drops(caplog) == [
        f"Heartbeat history: {dropped} runs dropped, the oldest queued: the "
        "database stores runs more slowly than the heartbeat runs them "
        "(DOCKERFLOW_HISTORY_QUEUE)"
    ]
    # The dropped runs' rows are lost; the queued ones are stored.
    stored = HeartbeatRun.objects.filter(host="web-q").order_by("time")
    assert [r.time for r in stored] == [at(0)] + [
        at(number * 10) for number in range(runs - QUEUE, runs)
    ]
    # Every flip is recorded once, at its own time, dropped or not.
    flips = StatusChange.objects.filter(host="web-q", check_name="db")
    assert [(c.time, c.new_status) for c in flips.order_by("time")] == [
        (at(number * 10), "error" if number % 2 else "ok") for number in range(1, runs)
    ]
    # And every run is counted.
    hours = HeartbeatAggregate.objects.filter(
        host="web-q", check_name="", period="hour"
    )
    assert sum(h.runs for h in hours) == runs


@pytest.mark.usefixtures("queued")
def test_a_heartbeat_answers_while_the_database_holds_the_writer(
    slow_database: threading.Event,
) -> None:
    client = Client()
    with override_settings(DOCKERFLOW_CHECKS=check_paths("warning")):
        started = time.monotonic()
        for _ in range(QUEUE + 5):
            history.recorder.reset()  # every run goes to the database
            assert client.get("/__heartbeat__").status_code == 200
        took = time.monotonic() - started
    assert took < 10.0, took  # the writer waits up to 30 s per write here
    assert history.writer.dropped >= 1
    assert HeartbeatRun.objects.filter(host="web-q").count() == 0
    slow_database.set()
    assert history.drain(timeout=10)
    assert HeartbeatRun.objects.filter(host="web-q").count() >= 1


@pytest.mark.usefixtures("queued")
def test_a_drain_gives_up_at_its_bound_and_says_what_it_left(
    slow_database: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    history.submit(run(0), source="http")
    history.submit(run(10, db="error"), source="http")
    started = time.monotonic()
    assert not history.drain(timeout=0.5)
    assert 0.5 <= time.monotonic() - started < 5.0
    assert [r.getMessage() for r in caplog.records if "not stored" in r.getMessage()]
    slow_database.set()
    assert history.drain(timeout=10)  # and it takes runs again
    assert HeartbeatRun.objects.filter(host="web-q").count() == 2


@pytest.mark.usefixtures("queued")
def test_record_still_stores_before_it_returns() -> None:
    stored = history.record(run(0), source="command", force=True)
    assert stored is not None
    assert HeartbeatRun.objects.filter(pk=stored.pk, source="command").exists()
    assert history.writer.written == 0


@pytest.mark.usefixtures("queued")
@override_settings(DOCKERFLOW_HISTORY_QUEUE=0)
def test_no_queue_stores_in_the_request() -> None:
    history.submit(run(0), source="http")
    assert HeartbeatRun.objects.filter(host="web-q").count() == 1
    assert history.writer.written == 0
