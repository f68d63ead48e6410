"""Recording heartbeat runs: which are stored, which cost only a SELECT, and what a
stored run holds, from a real ``/__heartbeat__`` request down to its checks.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection, connections
from django.test import AsyncClient, Client, override_settings
from django.test.utils import CaptureQueriesContext

from dockerflow.django import history
from dockerflow.django.models import (
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)

from .conftest import check_paths
from .history_helpers import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

record = history.record


@override_settings(
    DOCKERFLOW_CHECKS=check_paths("passing", "warning"), DOCKERFLOW_HISTORY_HOST="web-1"
)
def test_a_heartbeat_request_stores_its_run_with_every_check(client: Client) -> None:
    response = client.get("/__heartbeat__")
    assert response.status_code == 200
    stored = HeartbeatRun.objects.get()
    assert (stored.host, stored.status, stored.source) == ("web-1", "warning", "http")
    assert stored.http_status == 200
    assert stored.version == "2026.11.0"
    assert stored.failing_checks == []
    checks = {c.name: c for c in stored.checks.all()}
    assert set(checks) == {"passing", "warning"}
    assert checks["warning"].messages == [
        {"id": "tests.W001", "msg": "db.example.internal is slow"}
    ]
    assert checks["warning"].host == "web-1"
    assert checks["warning"].time == stored.time
    assert stored.duration_ms >= checks["passing"].duration_ms


@override_settings(
    DOCKERFLOW_CHECKS=check_paths("error"), DOCKERFLOW_HISTORY_HOST="web-1"
)
def test_a_failing_heartbeat_stores_the_status_it_answered(client: Client) -> None:
    with override_settings(DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=503):
        assert client.get("/__heartbeat__").status_code == 503
    stored = HeartbeatRun.objects.get()
    assert (stored.status, stored.http_status) == ("error", 503)
    assert stored.failing_checks == ["error"]
    change = StatusChange.objects.get(check_name="")
    assert (change.old_status, change.new_status) == ("", "error")


@override_settings(
    DOCKERFLOW_CHECKS=check_paths("passing"),
    DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60,
    DOCKERFLOW_HISTORY="all",
)
def test_a_cached_response_is_not_a_run(client: Client) -> None:
    for _ in range(3):
        assert client.get("/__heartbeat__").status_code == 200
    assert HeartbeatRun.objects.count() == 1
    history.recorder.flush()
    assert HeartbeatAggregate.objects.get(check_name="", period="hour").runs == 1


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_an_unchanged_run_costs_one_select_until_a_sample_is_due() -> None:
    assert record(run(0), source="http") is not None
    with CaptureQueriesContext(connection) as queries:
        for second in range(1, 300, 10):
            assert record(run(second), source="http") is None
    # Each checks that no other worker of the host flipped it; the
    # heartbeat leaves that check to the writer (test_history_flips.py).
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 30 and all(q.startswith("SELECT") for q in sql)
    assert record(run(300), source="http") is not None
    assert HeartbeatRun.objects.count() == 2


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_changed_status_is_stored_at_once() -> None:
    record(run(0), source="http")
    stored = record(run(5, db="error"), source="http")
    assert stored is not None and stored.failing_checks == ["db"]
    assert record(run(10, db="error"), source="http") is None
    back = record(run(15), source="http")
    assert back is not None
    assert list(HeartbeatRun.objects.values_list("status", flat=True)) == [
        "ok",
        "error",
        "ok",
    ]


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_new_version_is_stored_at_once() -> None:
    record(run(0), source="http")
    with override_settings(DOCKERFLOW_VERSION_CALLBACK=lambda root: {"version": "2"}):
        stored = record(run(5), source="http")
    assert stored is not None and stored.version == "2"


@override_settings(DOCKERFLOW_HISTORY="all")
def test_all_stores_every_run() -> None:
    for second in range(5):
        assert record(run(second), source="http") is not None
    assert HeartbeatRun.objects.count() == 5
    assert CheckRun.objects.count() == 10


@override_settings(DOCKERFLOW_HISTORY="off")
def test_off_stores_and_counts_nothing_without_a_query() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert record(run(0, db="error"), source="http") is None
        assert history.recorder.flush() == 0
    assert len(queries) == 0
    assert not CheckState.objects.exists()


def test_force_stores_an_unchanged_run() -> None:
    record(run(0), source="http")
    stored = record(run(1), source="command", force=True)
    assert stored is not None
    assert (stored.source, stored.http_status) == ("command", None)


def test_one_result_shared_by_concurrent_callers_is_one_run() -> None:
    shared = run(0)
    with override_settings(DOCKERFLOW_HISTORY="all"):
        record(shared, source="http")
        assert record(shared, source="http") is None
        assert record(replace(shared, cached=True), source="http") is None
    assert HeartbeatRun.objects.count() == 1


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_failed_write_is_logged_and_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def down(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        raise OperationalError("connection to server was lost")

    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    with connection.execute_wrapper(down):
        assert record(run(0, db="error"), source="http") is None
        # Within the retry pause the next run is not even tried.
        with CaptureQueriesContext(connection) as queries:
            assert record(run(1, db="critical"), source="http") is None
    assert len(queries) == 0
    lost = [r for r in caplog.records if r.name == "dockerflow.history"]
    assert len(lost) == 2
    assert "OperationalError: connection to server was lost" in lost[0].getMessage()
    assert lost[0].status == "error" and lost[0].failing_checks == ["db"]
    # The counts were kept: nothing counted is lost with the write.
    history.recorder.flush()
    assert HeartbeatAggregate.objects.get(check_name="", period="day").runs == 2


@pytest.mark.django_db(transaction=True)
@override_settings(
    DOCKERFLOW_CHECKS=check_paths("passing", "error"), DOCKERFLOW_HISTORY_HOST="web-1"
)
@pytest.mark.asyncio
async def test_an_async_heartbeat_stores_its_run_off_the_event_loop() -> None:
    response = await AsyncClient().get("/__heartbeat__")
    assert response.status_code == 500
    assert await HeartbeatRun.objects.filter(status="error").acount() == 1
    # Test clients keep the connection Django would close after the request.
    await sync_to_async(connections.close_all)()
