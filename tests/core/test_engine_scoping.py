"""The engine knows checks by scope and name, waits on a hung thread without
piling up callbacks, and runs checks in the caller's context."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow import health
from dockerflow.checks import HeartbeatEngine
from dockerflow.checks.workers import MAX_ATTEMPTS
from dockerflow.logging import RequestIdLogFilter, request_id_context


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let hung check threads finish after the test


def test_a_hung_check_wrapped_afresh_is_still_bounded(release: threading.Event) -> None:
    """Adapters wrap checks anew on each run; the scope and name find its threads."""
    engine = HeartbeatEngine()
    started = []

    def hung() -> list[Any]:
        started.append(1)
        release.wait(30)
        return []

    for _ in range(3 * MAX_ATTEMPTS):
        wrapped = lambda: hung()  # noqa: E731 - a new callable every run
        result = engine.run([("hung", wrapped)], timeout=0.05, scope="app")
        assert result["hung"].timed_out
    assert len(started) == MAX_ATTEMPTS
    hung_threads = [
        t for t in threading.enumerate() if t.name == "dockerflow-check-hung"
    ]
    assert len(hung_threads) == MAX_ATTEMPTS


def test_scopes_keep_same_named_checks_apart(release: threading.Event) -> None:
    engine = HeartbeatEngine()
    calls: list[str] = []

    def check(scope: str) -> Any:
        def run() -> list[Any]:
            calls.append(scope)
            release.wait(30)
            return []

        return run

    engine.run([("db", check("a"))], timeout=0.05, scope="a")
    engine.run([("db", check("b"))], timeout=0.05, scope="b")
    assert sorted(calls) == ["a", "b"]


def test_async_runs_against_a_hung_thread_do_not_grow_memory(
    release: threading.Event,
) -> None:
    """Each probe used to leave a callback on the hung check's future (~730 B)."""
    engine = HeartbeatEngine()

    def hung() -> list[Any]:
        release.wait(60)
        return []

    async def probe(times: int) -> None:
        for _ in range(times):
            result = await engine.run_async([("hung", hung)], timeout=0.001, scope="s")
            assert result["hung"].messages[0].id == health.ERROR_CHECK_TIMEOUT

    async def measure() -> int:
        await probe(200)  # warm up: caches, the bridge, the thread
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            await probe(2000)
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        return sum(stat.size_diff for stat in after.compare_to(before, "filename"))

    # Each timeout is logged; pytest keeps every record it captures, which
    # would be growth of its own.
    checks_logger = logging.getLogger("dockerflow.checks.registry")
    checks_logger.disabled = True
    try:
        grown = asyncio.run(measure())
    finally:
        checks_logger.disabled = False
    # 2,000 probes at the old ~730 B each would be ~1.4 MB; allow a little noise.
    assert grown < 200_000, grown


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdLogFilter())  # reads the context at emit time
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_records_from_check_threads_carry_the_request_id() -> None:
    engine = HeartbeatEngine()
    log = logging.getLogger("tests.engine.inside")
    keep = _Keep()
    log.addHandler(keep)

    def chatty() -> list[Any]:
        log.warning("looking at the database")
        return []

    token = request_id_context.set("rid-from-request")
    try:
        engine.run([("chatty", chatty)], scope="ctx")
    finally:
        request_id_context.reset(token)
        log.removeHandler(keep)
    (record,) = keep.records
    assert record.threadName == "dockerflow-check-chatty"
    assert record.rid == "rid-from-request"  # type: ignore[attr-defined]
