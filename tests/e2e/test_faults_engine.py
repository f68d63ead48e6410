"""A service that hung then answers again, on every server: the heartbeat recovers
on its own, without the hung sockets being dropped, and threads stay bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerflow.checks.workers import MAX_ATTEMPTS
from tests.e2e.server import Server
from tests.e2e.targets import AUTH, FAULTS, TARGETS, Faults, Fleet, Target
from tests.faultproxy import FaultProxy

pytestmark = pytest.mark.e2e

#: Probes while the service hangs: each waits out the check timeout (1 s in
#: the FAULTS state), so the hang lasts eleven timeouts, and each of
#: gunicorn's two workers sees more probes than MAX_ATTEMPTS.
HUNG_PROBES = 11
WITH_DATABASE = [t for t in TARGETS if t.framework != "sanic"]
#: The checks of each e2e app that run on threads and can hang: Django's
#: database, migrations and Redis checks, Flask's database and Redis checks;
#: Sanic's Redis check is a coroutine, cancelled when it times out.
THREADED_CHECKS = {"django": 3, "flask": 2, "sanic": 0}


def workers(server: Server) -> list[int]:
    """The processes answering requests: gunicorn's workers, or the server."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children] or [pid]


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def hang_then_recover(server: Server, proxy: FaultProxy) -> list[int]:
    """Statuses of the probes after ``proxy`` hung for HUNG_PROBES probes and
    passes again, its hung connections left hung."""
    assert server.request("/__heartbeat__", headers=AUTH).status == 200
    proxy.hanging()
    for _ in range(HUNG_PROBES):
        hung = server.request("/__heartbeat__", headers=AUTH)
        assert hung.status == 500, hung.body
    proxy.passing()  # not Faults.passing(): what hung stays hung
    # Several probes, so each of gunicorn's two workers answers at least one.
    return [server.request("/__heartbeat__", headers=AUTH).status for _ in range(4)]


@pytest.mark.parametrize(
    "target", WITH_DATABASE, ids=[t.name for t in WITH_DATABASE], indirect=True
)
def test_a_database_that_hung_then_answers_passes_on_the_first_probe_after(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert hang_then_recover(server, faults.database) == [200] * 4


def test_a_redis_that_hung_then_answers_passes_on_the_first_probe_after(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert hang_then_recover(server, faults.redis) == [200] * 4


def test_threads_stay_bounded_while_every_service_hangs(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert server.request("/__heartbeat__", headers=AUTH).status == 200
    before = {pid: threads(pid) for pid in workers(server)}
    faults.database.hanging()
    faults.redis.hanging()
    peak = dict(before)
    for _ in range(2 * HUNG_PROBES):
        assert server.request("/__heartbeat__", headers=AUTH).status == 500
        for pid in peak:
            peak[pid] = max(peak[pid], threads(pid))
    # Each check on threads holds at most MAX_ATTEMPTS of them; the request
    # being served may hold a thread or two of its own (ASGI's sync code).
    allowed = MAX_ATTEMPTS * THREADED_CHECKS[target.framework] + 2
    assert all(peak[pid] - before[pid] <= allowed for pid in peak), (before, peak)
