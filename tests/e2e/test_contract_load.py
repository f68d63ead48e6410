"""The contract under load: a flood with caching, a hung check, database connections.

Bounds are generous and prove behaviour (flat, bounded), never speed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.e2e.server import Server
from tests.e2e.targets import (
    BY_NAME,
    CACHE_SECONDS,
    STUCK,
    Fleet,
    Target,
    connections,
)

pytestmark = pytest.mark.e2e


def beat(server: Server, count: int, status: int, **headers: str) -> None:
    assert server.repeat("/__heartbeat__", count, headers) == {status: count}


def test_flood_with_caching_runs_checks_once_per_period(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    clients, seconds = 20, 5.0
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    since = server.line_count()
    started = time.monotonic()
    stop = started + seconds

    def client() -> None:
        while time.monotonic() < stop:
            try:
                got = server.request("/__heartbeat__", timeout=30)
                assert got.json() == {"status": "ok"}, got.body
            except BaseException as exc:
                with lock:
                    errors.append(exc)
                return
            with lock:
                statuses[got.status] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    assert not errors, errors[:3]
    assert set(statuses) == {200} and sum(statuses.values()) >= clients
    time.sleep(0.3)
    runs = Counter(
        r["Pid"]
        for r in server.records(since)
        if r["Fields"].get("msg") == "e2e check ran"
    )
    # At most one run per cache period, in each worker process.
    assert runs and max(runs.values()) <= elapsed // CACHE_SECONDS + 1, (
        runs,
        elapsed,
    )


def test_hung_check_leaves_memory_and_threads_flat(
    request: pytest.FixtureRequest, fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target, STUCK)
    beat(server, 300, 500)  # warm up allocator arenas, caches and pools
    rss, threads = settled(server)
    growth = []
    for _ in range(2):
        beat(server, 1500, 500)
        rss_after, threads_after = settled(server)
        # The hung check's attempts, at most three and all started during
        # the warm-up, hold their threads; no more start.
        assert threads_after <= threads + 1, (threads, threads_after)
        growth.append(rss_after - rss)
        rss = rss_after
    # A leak grows memory in both windows; a one-off (the history's first
    # flush, say, landing in one of them) in one only. 270 bytes a run
    # would be about 400 KiB in each window of 1,500 runs.
    assert min(growth) < 384, growth


def settled(server: Server) -> tuple[int, int]:
    """RSS and thread count, the least of a few readings over half a second:
    thread pools let idle threads go a moment after the last request."""
    readings = []
    for _ in range(5):
        readings.append(server.rss_and_threads())
        time.sleep(0.1)
    return min(r[0] for r in readings), min(r[1] for r in readings)


DATABASE_TARGETS = [
    BY_NAME[n] for n in ("django-gunicorn", "django-uvicorn", "flask-gunicorn")
]


@pytest.mark.parametrize(
    "target", DATABASE_TARGETS, ids=lambda t: t.name, indirect=True
)
@pytest.mark.parametrize(
    "cookie",
    ["", "sessionid=junk0123456789abcdefghijklmnopq"],
    ids=["anonymous", "junk-session"],
)
def test_postgres_connections_flat_after_1000_heartbeats(
    request: pytest.FixtureRequest, fleet: Fleet, target: Target, cookie: str
) -> None:
    server = fleet.server(target)
    beat(server, 50, 200)  # warm up anonymously: the cookie's cost is measured
    before = connections(fleet.app_name(target))
    beat(server, 1000, 200, **({"Cookie": cookie} if cookie else {}))
    after = connections(fleet.app_name(target))
    # One more is the request thread's own persistent connection.
    assert after <= before + 1, (before, after)
