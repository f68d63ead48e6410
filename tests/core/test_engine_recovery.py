"""A check whose service hung and answers again passes on the next run, and a
check stuck for good holds a bounded number of threads, on every path: sync
checks on threads, sync checks bridged into an event loop, async checks.

The service is the real Redis behind a fault proxy; the checks PING it over
a socket without a timeout, so an attempt that hung stays stuck until the
proxy drops its connection, as on a real hung server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from dockerflow import health
from dockerflow.checks import Error, HeartbeatEngine, current_timeout
from dockerflow.checks.services import PING_SLACK, check_redis_connected
from dockerflow.checks.workers import MAX_ATTEMPTS
from tests.faultproxy import FaultProxy, fault_proxy
from tests.services import REDIS_URL, require_redis

#: Long enough for a PING through the proxy on a busy machine (make test runs
#: suites side by side); every hung run waits it out.
TIMEOUT = 0.5


@pytest.fixture
def redis() -> Iterator[FaultProxy]:
    require_redis()
    parts = urlsplit(REDIS_URL)
    with fault_proxy(parts.hostname or "127.0.0.1", parts.port or 6379) as proxy:
        yield proxy  # closing it drops every stuck connection: their threads end


def pinger(proxy: FaultProxy) -> Callable[[], Any]:
    """A check that PINGs Redis through ``proxy``, without a socket timeout."""

    def check() -> list[Any]:
        with socket.create_connection(("127.0.0.1", proxy.port)) as conn:
            conn.sendall(b"PING\r\n")
            answer = conn.recv(64)
        return [] if answer.startswith(b"+PONG") else [Error(f"got {answer!r}")]

    return check


def check_threads(name: str = "redis") -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"dockerflow-check-{name}"]


def wait_until(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.01)


# -- recovery ------------------------------------------------------------------


def test_a_service_that_hung_then_answers_passes_on_the_first_run_after(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    checks = [("redis", pinger(redis))]
    assert engine.run(checks, timeout=TIMEOUT).passed
    # The proxy may not have seen that ping's connection close yet, and
    # would hold it with the stuck ones.
    wait_until(lambda: redis.relaying == 0)
    redis.hanging()
    for _ in range(MAX_ATTEMPTS - 1):
        assert engine.run(checks, timeout=TIMEOUT)["redis"].timed_out
    redis.passing()  # what hung stays hung: only a fresh attempt gets through
    assert engine.run(checks, timeout=TIMEOUT).passed
    assert redis.held == MAX_ATTEMPTS - 1  # the stuck attempts still are


@pytest.mark.asyncio
async def test_a_sync_check_bridged_into_a_loop_recovers_on_the_first_run_after(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    checks = [("redis", pinger(redis))]
    assert (await engine.run_async(checks, timeout=TIMEOUT)).passed
    wait_until(lambda: redis.relaying == 0)  # as in the sync test above
    redis.hanging()
    for _ in range(MAX_ATTEMPTS - 1):
        assert (await engine.run_async(checks, timeout=TIMEOUT))["redis"].timed_out
    redis.passing()
    assert (await engine.run_async(checks, timeout=TIMEOUT)).passed


@pytest.mark.asyncio
async def test_an_async_check_that_ignores_cancelling_recovers_on_the_first_run_after(
    redis: FaultProxy,
) -> None:
    """A cancelled coroutine usually ends; one that swallows the cancel (a
    library retrying, say) keeps running, and is abandoned like a thread."""
    engine = HeartbeatEngine()
    stop = asyncio.Event()

    async def stubborn_ping() -> list[Any]:
        reader, writer = await asyncio.open_connection("127.0.0.1", redis.port)
        try:
            writer.write(b"PING\r\n")
            while not stop.is_set():
                try:
                    answer = await reader.read(64)
                except asyncio.CancelledError:
                    continue
                return [] if answer.startswith(b"+PONG") else [Error(repr(answer))]
            return []
        finally:
            writer.close()

    checks = [("redis", stubborn_ping)]
    assert (await engine.run_async(checks, timeout=TIMEOUT)).passed
    redis.hanging()
    for _ in range(MAX_ATTEMPTS - 1):
        assert (await engine.run_async(checks, timeout=TIMEOUT))["redis"].timed_out
    redis.passing()
    try:
        assert (await engine.run_async(checks, timeout=TIMEOUT)).passed
    finally:
        stop.set()
        redis.reset()  # the stuck coroutines read an end of file, and end
        await asyncio.sleep(0.1)


# -- the bound -------------------------------------------------------------------


def test_a_check_stuck_for_good_holds_at_most_max_attempts_threads(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    checks = [("redis", pinger(redis))]
    redis.hanging()
    results = [engine.run(checks, timeout=0.01)["redis"] for _ in range(50)]
    assert all(result.timed_out for result in results)
    assert len(check_threads()) == MAX_ATTEMPTS
    # At the bound, the message says why nothing new was tried.
    (message,) = results[-1].messages
    assert message.id == health.ERROR_CHECK_TIMEOUT
    assert f"{MAX_ATTEMPTS} earlier attempts are still running" in message.msg
    assert "earlier attempts" not in results[0].messages[0].msg
    # Once the stuck attempts end, the next run starts afresh and passes.
    redis.passing()
    redis.reset()
    wait_until(lambda: not check_threads())
    assert engine.run(checks, timeout=TIMEOUT).passed


def stuck_at_the_bound() -> tuple[Callable[[], list[Any]], list[threading.Event]]:
    """A check whose first MAX_ATTEMPTS calls hang until their event is set
    (then fail: what they saw is past), and whose later calls pass."""
    stuck = [threading.Event() for _ in range(MAX_ATTEMPTS)]
    calls: list[int] = []

    def check() -> list[Any]:
        calls.append(1)
        if len(calls) <= MAX_ATTEMPTS:
            stuck[len(calls) - 1].wait(30)
            return [Error("what it saw is past")]
        return []

    return check, stuck


def test_at_the_bound_one_attempt_ending_lets_the_next_run_start_afresh(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    check, stuck = stuck_at_the_bound()
    try:
        for _ in range(10):
            assert engine.run([("c", check)], timeout=0.01).failed
        assert len(check_threads("c")) == MAX_ATTEMPTS
        stuck[0].set()  # the oldest attempt ends; the others are still stuck
        wait_until(lambda: len(check_threads("c")) == MAX_ATTEMPTS - 1)
        assert engine.run([("c", check)], timeout=TIMEOUT).passed
    finally:
        for event in stuck:
            event.set()


def test_at_the_bound_an_attempt_ending_during_a_run_lets_that_run_pass() -> None:
    """The run doesn't report the newest stuck attempt: once any attempt
    ends, within the run's timeout, a fresh one answers for now."""
    engine = HeartbeatEngine()
    check, stuck = stuck_at_the_bound()
    try:
        # Ten runs, not MAX_ATTEMPTS: a run that begins before the newest
        # attempt's deadline joins it, so it takes more runs to reach the bound.
        for _ in range(10):
            assert engine.run([("c", check)], timeout=0.01).failed
        assert len(check_threads("c")) == MAX_ATTEMPTS
        threading.Timer(0.2, stuck[0].set).start()
        assert engine.run([("c", check)], timeout=2.0).passed
    finally:
        for event in stuck:
            event.set()


@pytest.mark.asyncio
async def test_at_the_bound_an_ending_attempt_lets_an_async_run_pass() -> None:
    engine = HeartbeatEngine()
    check, stuck = stuck_at_the_bound()
    try:
        for _ in range(10):
            assert (await engine.run_async([("c", check)], timeout=0.01)).failed
        assert len(check_threads("c")) == MAX_ATTEMPTS
        asyncio.get_running_loop().call_later(0.2, stuck[0].set)
        assert (await engine.run_async([("c", check)], timeout=2.0)).passed
    finally:
        for event in stuck:
            event.set()


@pytest.mark.asyncio
async def test_bridged_runs_against_a_check_stuck_for_good_hold_at_most_max_attempts(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    checks = [("redis", pinger(redis))]
    redis.hanging()
    for _ in range(50):
        result = await engine.run_async(checks, timeout=0.01)
        assert result["redis"].timed_out
    assert len(check_threads()) == MAX_ATTEMPTS


@pytest.mark.asyncio
async def test_stubborn_async_checks_hold_at_most_max_attempts_tasks() -> None:
    engine = HeartbeatEngine()
    stop = asyncio.Event()
    started: list[int] = []

    async def stubborn() -> list[Any]:
        started.append(1)
        while not stop.is_set():
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                continue
        return []

    try:
        for _ in range(30):
            assert (await engine.run_async([("s", stubborn)], timeout=0.01)).failed
        assert len(started) == MAX_ATTEMPTS
    finally:
        stop.set()
        await asyncio.sleep(1.2)  # each wakes, sees the stop, and ends


# -- single-flight and the cache ---------------------------------------------------


def test_a_run_within_an_attempts_timeout_joins_it_instead_of_starting_another() -> (
    None
):
    engine = HeartbeatEngine()
    calls: list[int] = []

    def slow() -> list[Any]:
        calls.append(1)
        time.sleep(0.3)
        return []

    first = threading.Thread(target=engine.run, args=([("slow", slow)],))
    first.start()
    wait_until(lambda: bool(calls))
    # Another run of the same check (in other company, so not single-flight).
    result = engine.run([("slow", slow), ("other", lambda: [])])
    first.join(5)
    assert result.passed and len(calls) == 1


def test_a_cached_failure_starts_no_attempt_and_the_next_run_after_it_does(
    redis: FaultProxy,
) -> None:
    engine = HeartbeatEngine()
    checks = [("redis", pinger(redis))]
    redis.hanging()
    assert engine.run(checks, timeout=TIMEOUT, cache_ttl=1.0).failed
    redis.passing()
    cached = engine.run(checks, timeout=TIMEOUT, cache_ttl=1.0)
    assert cached.cached and cached.failed  # the cache holds what was seen
    assert len(check_threads()) == 1
    time.sleep(1.05)
    fresh = engine.run(checks, timeout=TIMEOUT, cache_ttl=1.0)
    assert not fresh.cached and fresh.passed


# -- checks that end their own attempts ----------------------------------------------


def test_a_check_knows_its_own_timeout_on_every_path() -> None:
    seen: dict[str, float | None] = {}

    def sync_check() -> list[Any]:
        seen["thread"] = current_timeout()
        return []

    async def async_check() -> list[Any]:
        seen["task"] = current_timeout()
        return []

    def bridged_check() -> list[Any]:
        seen["bridged"] = current_timeout()
        return []

    engine = HeartbeatEngine()
    engine.run([("sync", sync_check)], timeout=1.5)

    async def run() -> None:
        await engine.run_async(
            [("async", async_check), ("bridged", bridged_check)],
            timeout=2.0,
            timeouts={"async": 0.5},
        )

    asyncio.run(run())
    assert seen == {"thread": 1.5, "task": 0.5, "bridged": 2.0}
    assert current_timeout() is None  # outside a check


def test_the_redis_check_ends_its_own_attempts_on_a_client_without_timeouts(
    redis: FaultProxy,
) -> None:
    """redis-py without socket timeouts waits forever on a hung server; the
    built-in check PINGs with timeouts of its own, so no attempt outlives the
    next probe, the bound is never reached, and recovery is immediate."""
    import redis as redis_py

    client = redis_py.Redis(
        port=redis.port, socket_timeout=None, socket_connect_timeout=None
    )
    engine = HeartbeatEngine()
    checks = [("redis", lambda: check_redis_connected(client))]
    assert engine.run(checks, timeout=TIMEOUT).passed
    redis.hanging()
    for _ in range(4 * MAX_ATTEMPTS):
        result = engine.run(checks, timeout=TIMEOUT)["redis"]
        assert result.timed_out
        assert "earlier attempts" not in result.messages[0].msg
        assert len(check_threads()) <= 2
        time.sleep(0.15)  # probes further apart than a PING may wait
    redis.passing()
    assert engine.run(checks, timeout=TIMEOUT).passed
    # Each stuck PING ended on its own socket timeout.
    wait_until(lambda: not check_threads(), timeout=PING_SLACK * TIMEOUT + 5)
    client.close()


def test_a_database_that_dropped_its_connections_passes_on_the_first_run_after() -> (
    None
):
    """SQLAlchemy hands out a pooled connection the server dropped once; the
    built-in check tries again on a fresh one instead of failing the probe."""
    import sqlalchemy

    from dockerflow.checks.services import check_database_connected
    from tests.services import POSTGRES_URL, require_postgres

    require_postgres()
    parts = urlsplit(POSTGRES_URL)
    with fault_proxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:
        url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        url = url.replace(parts.netloc.rpartition("@")[2], f"127.0.0.1:{proxy.port}")
        db = type("DB", (), {"engine": sqlalchemy.create_engine(url)})()
        try:
            assert check_database_connected(db) == []  # a connection is pooled
            proxy.refusing()  # drops it, as a restarting server does
            proxy.passing()
            assert check_database_connected(db) == []
        finally:
            db.engine.dispose()
