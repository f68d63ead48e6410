"""Several processes of one host, each with its own memory: every flip any of
them sees is written once, at the time it was seen, in the "changes" mode.

A run a process's memory calls unchanged is checked against the host's states
in one SELECT (by the writer, or inline without a queue), so a flip another
process stored in between is not mistaken for "nothing new".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dockerflow.django import history
from dockerflow.django.history.store import VERIFY
from dockerflow.django.models import HeartbeatRun, StatusChange

from .history_helpers import ROUNDS, at, due, run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on", "one_host"),
]


@pytest.fixture
def one_host() -> Iterator[None]:
    with override_settings(
        DOCKERFLOW_HISTORY="changes", DOCKERFLOW_HISTORY_HOST="web-1"
    ):
        yield
    history.writer.reset()


def written() -> list[tuple[float, str, str, str]]:
    return [
        ((c.time - at(0)).total_seconds(), c.check_name, c.old_status, c.new_status)
        for c in StatusChange.objects.order_by("time", "check_name")
    ]


def db(status: str, seconds: float) -> Any:
    return run(seconds, db=status)


def test_two_workers_flipping_in_turn_write_every_flip_once_at_its_time() -> None:
    workers = {"a": history.Recorder(), "b": history.Recorder()}
    for number, (name, status) in enumerate(ROUNDS):
        workers[name].record(db(status, number * 10), source="http")
    assert written() == due(ROUNDS)
    assert len(due(ROUNDS)) == 16  # the rounds flip often enough to tell


def test_two_workers_writers_write_every_flip_once_at_its_time() -> None:
    """The heartbeat's way: each worker's writer thread stores its runs."""
    with override_settings(DOCKERFLOW_HISTORY_QUEUE=10):
        a = history.Recorder()
        b = history.Recorder()
        writers = {"a": history.Writer(a), "b": history.Writer(b)}
        recorders = {"a": a, "b": b}
        try:
            for number, (name, status) in enumerate(ROUNDS):
                pending = recorders[name].prepare(
                    db(status, number * 10), source="http"
                )
                assert pending is not None  # a verify at least
                writers[name].submit(pending, 10)
                assert writers[name].drain(timeout=30)
        finally:
            for writer in writers.values():
                writer.reset()
    assert written() == due(ROUNDS)


def test_a_verify_costs_one_select_and_the_request_none() -> None:
    history.record(db("ok", 0), source="http")
    with CaptureQueriesContext(connection) as request:
        pending = history.recorder.prepare(db("ok", 10), source="http")
    assert len(request) == 0  # the request path: memory only
    assert pending is not None and pending.visit.store == VERIFY
    with CaptureQueriesContext(connection) as verify:
        assert history.recorder.write(pending) is None
    assert len(verify) == 1
    assert verify.captured_queries[0]["sql"].startswith("SELECT")
    # Without a queue the request does the same check itself.
    with CaptureQueriesContext(connection) as inline:
        assert history.record(db("ok", 20), source="http") is None
    assert len(inline) == 1
    assert HeartbeatRun.objects.count() == 1


def test_a_verify_finding_a_flip_records_it_at_the_time_it_was_seen() -> None:
    a, b = history.Recorder(), history.Recorder()
    a.record(db("ok", 0), source="http")
    b.record(db("error", 10), source="http")
    back = a.record(db("ok", 20), source="http")
    assert back is not None and back.time == at(20)
    assert written()[-2:] == [(20.0, "", "error", "ok"), (20.0, "db", "error", "ok")]
    assert StatusChange.objects.get(time=at(20), check_name="db").run == back


@override_settings(DOCKERFLOW_HISTORY_QUEUE=10)
def test_one_verify_per_host_waits_in_the_queue_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history.record(db("ok", 0), source="http")
    release, busy = threading.Event(), threading.Event()
    write = history.recorder.write
    seen: list[tuple[str, float]] = []

    def slow(pending: Any) -> Any:
        busy.set()
        release.wait(timeout=30)
        seen.append((pending.visit.store, (pending.visit.time - at(0)).seconds))
        try:
            return write(pending)
        finally:
            connections.close_all()

    monkeypatch.setattr(history.recorder, "write", slow)
    history.submit(db("ok", 10), source="http")
    assert busy.wait(timeout=10)  # the writer holds the first
    for second in range(20, 70, 10):
        history.submit(db("ok", second), source="http")
    assert history.writer.queued == 1
    history.submit(db("error", 70), source="http")  # a run: never absorbed
    history.submit(db("ok", 80), source="http")  # behind it, not before
    assert history.writer.queued == 3
    release.set()
    assert history.drain(timeout=30)
    assert seen == [
        (VERIFY, 10),
        (VERIFY, 60),
        ("if-due", 70),
        (VERIFY, 80),  # which finds the flip back to ok
    ]
    assert written() == [
        (70.0, "", "ok", "error"),
        (70.0, "db", "ok", "error"),
        (80.0, "", "error", "ok"),
        (80.0, "db", "error", "ok"),
    ]
