"""PostgreSQL only: workers of one host racing to record the same flips, and a
database that goes away under a heartbeat.

Collected only when DOCKERFLOW_TEST_DATABASE=postgres (see conftest.py).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from dockerflow.django import history
from dockerflow.django.models import HeartbeatAggregate, HeartbeatRun, StatusChange
from tests.services import require_postgres

from .history_helpers import run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on"),
]

WORKERS = 8
ROUNDS = 6


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
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    rounds = [{"db": "error" if number % 2 else "ok"} for number in range(ROUNDS)]
    assert race(rounds) == []
    assert [r.getMessage() for r in caplog.records] == []  # nothing was lost
    flips = ROUNDS - 1  # the first round is a first sighting, and ok
    assert StatusChange.objects.filter(check_name="db").count() == flips
    assert StatusChange.objects.filter(check_name="").count() == flips
    assert StatusChange.objects.filter(check_name="cache").count() == 0
    # One stored run per round: each round changed the statuses once.
    assert HeartbeatRun.objects.count() == ROUNDS
    durations = set(
        StatusChange.objects.filter(check_name="db").values_list(
            "previous_duration", flat=True
        )
    )
    assert durations == {10.0}
    # Every worker's every run was counted, once.
    whole = HeartbeatAggregate.objects.get(check_name="", period="day")
    assert whole.runs == WORKERS * ROUNDS
    assert whole.error == WORKERS * (ROUNDS // 2)


@pytest.fixture
def database_down() -> Iterator[None]:
    """New connections to the test database go to a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = connection.settings_dict  # shared by every thread's connection
    port = settings["PORT"]
    settings["PORT"] = str(closed_port)
    connection.close()
    try:
        yield
    finally:
        settings["PORT"] = port
        connection.close()


@override_settings(DOCKERFLOW_HEARTBEAT_DETAILS="always")
def test_a_heartbeat_without_its_database_answers_and_logs_the_lost_run(
    database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    require_postgres()
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
    assert "Heartbeat run not recorded: OperationalError" in lost[0].getMessage()
    assert lost[0].failing_checks == ["check_database_connected"]
