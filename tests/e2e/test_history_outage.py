"""The example project's heartbeat history explains an outage of its own database
afterwards: two workers whose PostgreSQL refuses for a while, then comes back.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from tests.e2e.targets import AUTH, BY_NAME, FAULTS, Faults, Fleet, Target
from tests.services import POSTGRES_URL

pytestmark = pytest.mark.e2e

DJANGO = [BY_NAME["django-gunicorn"], BY_NAME["django-uvicorn"]]
#: Seconds the database refuses.
OUTAGE = 4.0


def rows(fleet: Fleet, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the example project's database directly, not through the proxy."""
    import psycopg

    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{fleet.django_db}"
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def host_changes(fleet: Fleet, host: str) -> list[tuple[Any, ...]]:
    """The host's status changes (not its checks'), oldest first."""
    return rows(
        fleet,
        "SELECT time, old_status, new_status, previous_duration"
        " FROM dockerflow_statuschange WHERE host = %s AND check_name = ''"
        " ORDER BY time, id",
        host,
    )


def host_status(fleet: Fleet, host: str) -> str | None:
    found = rows(
        fleet,
        "SELECT status FROM dockerflow_checkstate WHERE host = %s AND check_name = ''",
        host,
    )
    return found[0][0] if found else None


def failing_seconds(fleet: Fleet, host: str) -> float:
    """The host's failing time in the hour aggregates, so far."""
    found = rows(
        fleet,
        "SELECT sum(failing_seconds) FROM dockerflow_heartbeataggregate"
        " WHERE host = %s AND check_name = '' AND period = 'hour'",
        host,
    )[0][0]
    return float(found or 0.0)


def settled(fleet: Fleet, host: str) -> tuple[int, float]:
    """The host's change count and failing seconds, once a second passed
    without either moving (the writers wrote what they held)."""
    deadline = time.monotonic() + 15
    seen = (len(host_changes(fleet, host)), failing_seconds(fleet, host))
    while True:
        time.sleep(1.0)
        now = (len(host_changes(fleet, host)), failing_seconds(fleet, host))
        if now == seen:
            return now
        assert time.monotonic() < deadline, "the history never settled"
        seen = now


def probe_until(server: Any, status: int, within: float) -> int:
    """Probe the heartbeat until it answers ``status``; the probes it took."""
    deadline, probes = time.monotonic() + within, 0
    while True:
        probes += 1
        if server.request("/__heartbeat__", headers=AUTH).status == status:
            return probes
        assert time.monotonic() < deadline, f"no {status} in {within} s"
        time.sleep(0.1)


@pytest.mark.parametrize("target", DJANGO, ids=[t.name for t in DJANGO])
def test_an_outage_of_the_history_database_is_in_the_history_afterwards(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    host = fleet.history_host(target, FAULTS)
    # Earlier tests' outages on this server may still wait in a worker's
    # backlog, written with its next run: probe until both workers have
    # written theirs, so what follows counts this outage only.
    for _ in range(6):
        probe_until(server, 200, within=10)
    # The writer thread stores the run just after it answered: the outage
    # starts once the host is known healthy, as it is in production.
    deadline = time.monotonic() + 10
    while host_status(fleet, host) != "ok":
        assert time.monotonic() < deadline, "the healthy run was never stored"
        time.sleep(0.05)
    before, failing_before = settled(fleet, host)
    faults.database.refusing()
    down_at = dt.datetime.now(dt.timezone.utc)
    statuses = set()
    while (dt.datetime.now(dt.timezone.utc) - down_at).total_seconds() < OUTAGE:
        statuses.add(server.request("/__heartbeat__", headers=AUTH).status)
        time.sleep(0.1)
    assert statuses == {500}
    faults.passing()
    back_at = dt.datetime.now(dt.timezone.utc)
    # Both workers find it back (each request may go to either).
    for _ in range(6):
        probe_until(server, 200, within=15)
    # Each worker's writer thread stores its runs just after they answer.
    deadline = time.monotonic() + 10
    while len(host_changes(fleet, host)) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    changes = host_changes(fleet, host)[before:]
    assert [(old, new) for _t, old, new, _d in changes] == [
        ("ok", "error"),
        ("error", "ok"),
    ], changes
    (failed_at, *_), (recovered_at, _old, _new, lasted) = changes
    assert down_at <= failed_at <= down_at + dt.timedelta(seconds=3)
    assert back_at <= recovered_at
    assert OUTAGE - 1 <= lasted <= (recovered_at - down_at).total_seconds()
    failing = failing_seconds(fleet, host) - failing_before
    assert failing == pytest.approx(lasted, abs=0.01)
    database = rows(
        fleet,
        "SELECT old_status, new_status FROM dockerflow_statuschange"
        " WHERE host = %s AND check_name LIKE %s ORDER BY time, id",
        host,
        "%check_database_connected",
    )
    assert database[-2:] == [("ok", "error"), ("error", "ok")]
