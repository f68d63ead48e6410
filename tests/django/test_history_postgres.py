"""PostgreSQL only: workers of one host racing to record the same flips, and a
database that goes away under a heartbeat.

Collected only when DOCKERFLOW_TEST_DATABASE=postgres (see conftest.py).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from dockerflow.django import history
from dockerflow.django.models import HeartbeatAggregate, HeartbeatRun, StatusChange
from dockerflow.django.signals import status_changed
from tests.services import POSTGRES_URL, hung_server, refused_port, require_postgres

from .history_helpers import ROUNDS, at, due, run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on"),
]

WORKERS = 8
ROUNDS_AT_ONCE = 6
ROOT = Path(__file__).resolve().parents[2]


def race(rounds: list[dict[str, str]]) -> list[BaseException]:
    """Each worker, with its own recorder and connection, records every round
    at the same moment as the others."""
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        recorder = history.Recorder()
        try:
            for number, statuses in enumerate(rounds):
                barrier.wait(timeout=30)
                recorder.record(run(number * 10, **statuses), source="http")
            recorder.flush()
        except BaseException as exc:  # reported by the test, not lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_workers_flipping_at_once_write_each_change_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_postgres()
    assert connection.vendor == "postgresql"
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    rounds = [
        {"db": "error" if number % 2 else "ok"} for number in range(ROUNDS_AT_ONCE)
    ]
    assert race(rounds) == []
    assert [r.getMessage() for r in caplog.records] == []  # nothing was lost
    flips = ROUNDS_AT_ONCE - 1  # the first round is a first sighting, and ok
    # Earlier tests' heartbeats on other threads commit rows of other hosts.
    changes = StatusChange.objects.filter(host="web-1")
    assert changes.filter(check_name="db").count() == flips
    assert changes.filter(check_name="").count() == flips
    assert changes.filter(check_name="cache").count() == 0
    # One stored run per round: each round changed the statuses once.
    assert HeartbeatRun.objects.filter(host="web-1").count() == ROUNDS_AT_ONCE
    durations = set(
        changes.filter(check_name="db").values_list("previous_duration", flat=True)
    )
    assert durations == {10.0}
    # Every worker's every run was counted, once.
    whole = HeartbeatAggregate.objects.get(host="web-1", check_name="", period="day")
    assert whole.runs == WORKERS * ROUNDS_AT_ONCE
    assert whole.error == WORKERS * (ROUNDS_AT_ONCE // 2)


@contextlib.contextmanager
def _database_at(new_port: int) -> Iterator[None]:
    """New connections to the test database go to ``new_port``."""
    settings = connection.settings_dict  # shared by every thread's connection
    port = settings["PORT"]
    settings["PORT"] = str(new_port)
    connection.close()
    try:
        yield
    finally:
        settings["PORT"] = port
        connection.close()


@pytest.fixture
def database_down() -> Iterator[None]:
    """New connections to the test database go to a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with _database_at(closed_port):
        yield


@override_settings(DOCKERFLOW_HEARTBEAT_DETAILS="always")
def test_a_heartbeat_without_its_database_answers_and_logs_the_lost_run(
    database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    require_postgres()
    assert connection.vendor == "postgresql"
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    response = Client().get("/__heartbeat__")
    assert response.status_code == 500
    body = response.json()
    assert body["checks"]["check_database_connected"] == "error"
    assert (
        "dockerflow.health.E001"
        in body["details"]["check_database_connected"]["messages"]
    )
    lost = [r for r in caplog.records if r.name == "dockerflow.history"]
    assert len(lost) == 1
    assert lost[0].getMessage() == (
        "Heartbeat run not recorded: the run found the database failing"
    )
    assert lost[0].failing_checks == ["check_database_connected"]


@override_settings(DOCKERFLOW_CHECK_TIMEOUT=1.0)
def test_a_hung_database_does_not_hold_the_heartbeat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The run's own database check finds it hung: nothing waits on a write."""
    require_postgres()
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    with hung_server() as port, _database_at(port):
        started = time.monotonic()
        response = Client().get("/__heartbeat__")
        took = time.monotonic() - started
    assert response.status_code == 500
    assert took < 1.0 + 3, took  # the check timeout plus slack, not a socket's
    lost = [r.getMessage() for r in caplog.records if r.name == "dockerflow.history"]
    assert lost == ["Heartbeat run not recorded: the run found the database failing"]


@override_settings(DOCKERFLOW_HISTORY_HOST="web-refused")
def test_flips_seen_while_the_database_refused_are_written_once_it_is_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The runs' checks pass their own database check (it is another one), so
    every write is tried, and refused, until the pause after a failure."""
    require_postgres()
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    # history.recorder is the process's Recorder; its module sets the pause.
    module = importlib.import_module("dockerflow.django.history.recorder")
    monkeypatch.setattr(module, "RETRY_SECONDS", 0.2)
    record = history.record
    record(run(0), source="http")
    heard: list[tuple[object, ...]] = []

    def receiver(sender: object, change: StatusChange, **kwargs: object) -> None:
        heard.append((change.time, change.check_name, change.old_status))

    status_changed.connect(receiver)
    with _database_at(refused_port()):
        for second in range(10, 300, 10):
            assert record(run(second, db="error"), source="http") is None
            time.sleep(0.02)
    refused = [r for r in caplog.records if "OperationalError" in r.getMessage()]
    assert len(refused) >= 2  # tried again after each pause, and refused
    time.sleep(0.3)
    assert record(run(300), source="http") is not None
    changes = [
        (c.time, c.check_name, c.old_status, c.new_status, c.previous_duration)
        for c in StatusChange.objects.filter(host="web-refused").order_by(
            "time", "check_name"
        )
    ]
    assert changes == [
        (at(10), "", "ok", "error", 10.0),
        (at(10), "db", "ok", "error", 10.0),
        (at(300), "", "error", "ok", 290.0),
        (at(300), "db", "error", "ok", 290.0),
    ]
    # Sent once written, in the order they happened, the backlog's first.
    status_changed.disconnect(receiver)
    assert heard == [change[:3] for change in changes]
    hours = HeartbeatAggregate.objects.filter(
        host="web-refused", check_name="db", period="hour"
    )
    assert sum(h.failing_seconds for h in hours) == pytest.approx(290.0)
    assert sum(h.runs for h in hours) == 31


def test_two_worker_processes_flipping_in_turn_write_every_flip_once_at_its_time() -> (
    None
):
    """Two real processes of one host, each with its writer thread, take
    turns: each flip either of them sees is one change row, at its time."""
    require_postgres()
    host = "web-turns"
    url = urlsplit(POSTGRES_URL)
    name = connection.settings_dict["NAME"]
    env = dict(os.environ, DOCKERFLOW_TEST_DATABASE="postgres")
    env["DOCKERFLOW_TEST_POSTGRES_URL"] = urlunsplit(url._replace(path=f"/{name}"))
    children = {
        worker: subprocess.Popen(
            [sys.executable, "-m", "tests.django.flips_child", host],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for worker in ("a", "b")
    }
    try:
        for child in children.values():
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for number, (worker, status) in enumerate(ROUNDS):
            child = children[worker]
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(f"{status} {number * 10}\n")
            child.stdin.flush()
            assert child.stdout.readline() == "stored\n"
        for child in children.values():
            child.communicate(timeout=60)
    finally:
        for child in children.values():
            child.kill()
    assert [child.returncode for child in children.values()] == [0, 0]
    written = [
        ((c.time - at(0)).total_seconds(), c.check_name, c.old_status, c.new_status)
        for c in StatusChange.objects.filter(host=host).order_by("time", "check_name")
    ]
    assert written == due(ROUNDS)


def test_two_worker_processes_racing_on_each_flip_send_one_signal_per_change() -> None:
    """Two real processes of one host see every run at the same moment:
    of the two, only the one that wrote a change row sends its signal."""
    require_postgres()
    host = "web-race"
    url = urlsplit(POSTGRES_URL)
    name = connection.settings_dict["NAME"]
    env = dict(os.environ, DOCKERFLOW_TEST_DATABASE="postgres")
    env["DOCKERFLOW_TEST_POSTGRES_URL"] = urlunsplit(url._replace(path=f"/{name}"))
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.django.signal_child", host],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    statuses = ["ok", "error", "ok", "critical", "critical", "ok", "error", "ok"]
    heard: list[int] = []
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for number, status in enumerate(statuses):
            for child in children:  # both before either answers: they race
                assert child.stdin is not None
                child.stdin.write(f"{status} {number * 10}\n")
                child.stdin.flush()
            for child in children:
                assert child.stdout is not None
                answer, _, ids = child.stdout.readline().strip().partition(" ")
                assert answer == "stored"
                heard += [int(pk) for pk in ids.split(",") if pk]
        for child in children:
            child.communicate(timeout=60)
    finally:
        for child in children:
            child.kill()
    assert [child.returncode for child in children] == [0, 0]
    rows = StatusChange.objects.filter(host=host)
    assert len(rows) == 2 * 6  # the host and its db check, at each of 6 flips
    assert sorted(heard) == sorted(rows.values_list("pk", flat=True))
