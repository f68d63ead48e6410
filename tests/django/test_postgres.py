"""PostgreSQL only: check threads must not leak database connections.

Collected only when DOCKERFLOW_TEST_DATABASE=postgres (see conftest.py).
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client, override_settings

from dockerflow.django.history import pruning
from tests.services import require_postgres

from .test_heartbeat import db_result

pytestmark = pytest.mark.django_db(transaction=True)


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            # Client sessions only: an autovacuum worker is no leak.
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND backend_type = 'client backend'"
        )
        return int(cursor.fetchone()[0])


def test_thousand_heartbeats_leak_no_connection() -> None:
    require_postgres()
    assert connection.vendor == "postgresql"
    client = Client()
    with override_settings(DOCKERFLOW_HEARTBEAT_DETAILS="always"):
        first = client.get("/__heartbeat__")
        assert first.json()["checks"] == {
            "check_database_connected": "ok",
            "check_migrations_applied": "ok",
        }
        before = server_connections()
        for _ in range(1000):
            assert client.get("/__heartbeat__").status_code == 200
        # An automatic history prune may be under way on its own thread,
        # which closes its connection when it is done; a leak stays.
        if pruning.last_thread is not None:
            pruning.last_thread.join(timeout=30)
        deadline = time.monotonic() + 10
        while (after := server_connections()) > before and time.monotonic() < deadline:
            time.sleep(0.2)
    assert after <= before, (before, after)


def test_database_check_runs_on_postgres() -> None:
    require_postgres()
    from dockerflow.django.checks import check_database_connected

    assert check_database_connected(None) == []


def test_the_first_heartbeat_after_an_outage_drops_the_threads_old_connections() -> (
    None
):
    """A connection open while the database hung stays hung after it answers
    again; the thread must not wait on it at its next query."""
    require_postgres()
    from dockerflow.django.heartbeat import outages

    connection.ensure_connection()
    before = connection.connection
    outages.after(db_result(failing=False))
    assert connection.connection is before  # no outage: kept
    outages.after(db_result(failing=True))
    assert connection.connection is before  # still down: nothing to gain
    outages.after(db_result(failing=False))
    assert connection.connection is None  # back: reconnects at the next query
    connection.ensure_connection()
    again = connection.connection
    outages.after(db_result(failing=False))
    assert connection.connection is again  # once per outage and thread
