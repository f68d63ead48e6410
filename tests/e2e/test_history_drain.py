"""A real server stopped while its history writer still holds runs stores them
before it exits: gunicorn's workers on SIGTERM, and uvicorn's on SIGTERM.

The test holds a lock on the host's state row, so the writer waits on the
database as it would on a slow one; the heartbeats answer meanwhile.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from tests.e2e.server import serve
from tests.e2e.targets import AUTH, BY_NAME, UP, Fleet
from tests.services import POSTGRES_URL, free_port

pytestmark = pytest.mark.e2e

SERVERS = [BY_NAME["django-gunicorn"], BY_NAME["django-uvicorn"]]
#: Heartbeats sent while the writer waits: fewer than DOCKERFLOW_HISTORY_QUEUE.
QUEUED = 5


def _database(fleet: Fleet) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{fleet.django_db}"


def stored_runs(fleet: Fleet, host: str) -> int:
    import psycopg

    with psycopg.connect(_database(fleet)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM dockerflow_heartbeatrun WHERE host = %s", (host,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def wait_for_runs(fleet: Fleet, host: str, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while stored_runs(fleet, host) < count:
        assert time.monotonic() < deadline, f"{count} runs not stored in {within} s"
        time.sleep(0.05)


@pytest.mark.parametrize("target", SERVERS, ids=[t.name for t in SERVERS])
def test_a_worker_stopped_with_sigterm_stores_the_runs_it_held(
    fleet: Fleet, target: Any, tmp_path: Any
) -> None:
    import psycopg

    host = f"e2e-drain-{target.name}"
    env = dict(fleet.env(target, UP), E2E_HISTORY="all", E2E_HISTORY_HOST=host)
    env["E2E_CACHE_SECONDS"] = "0"  # every probe is a run of its own
    port = free_port()
    with serve(
        target.command(port), port, tmp_path / "logs", target.logger_name, env=env
    ) as server:
        assert server.request("/__heartbeat__", headers=AUTH).status == 200
        wait_for_runs(fleet, host, 1, within=10)
        with psycopg.connect(_database(fleet)) as lock:
            # The writer's next UPDATE of the host's row waits for this lock.
            lock.execute(
                "SELECT 1 FROM dockerflow_checkstate WHERE host = %s"
                " AND check_name = '' FOR UPDATE",
                (host,),
            )
            started = time.monotonic()
            for _ in range(QUEUED):
                reply = server.request("/__heartbeat__", headers=AUTH)
                assert reply.status == 200
            # The probes did not wait for the database.
            assert time.monotonic() - started < 10.0
            assert stored_runs(fleet, host) == 1
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)  # the worker is exiting, its writer still held
            assert server.process.poll() is None
            lock.rollback()
        server.process.wait(timeout=30)
    assert stored_runs(fleet, host) == 1 + QUEUED
