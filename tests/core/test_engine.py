"""The heartbeat engine: concurrency, timeouts, isolation, silencing, caching."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from dockerflow import health
from dockerflow.checks import (
    CheckResult,
    ChecksResults,
    Error,
    HeartbeatEngine,
    HeartbeatResult,
    Info,
    Warning,
)

SLACK = 1.0  # generous: proves "answers on time", not speed


def sleeper(seconds: float, result: Any = None) -> Callable[[], Any]:
    def check() -> Any:
        time.sleep(seconds)
        return [] if result is None else result

    return check


def hang_forever(release: threading.Event) -> Callable[[], Any]:
    def check() -> Any:
        release.wait(30)
        return []

    return check


@pytest.fixture
def engine() -> HeartbeatEngine:
    return HeartbeatEngine()


@pytest.fixture
def release() -> Any:
    event = threading.Event()
    yield event
    event.set()  # let hung check threads finish after the test


def test_checks_run_concurrently(engine: HeartbeatEngine) -> None:
    # Each check waits until all five have started: run one after another,
    # the first would wait alone and fail on the barrier's timeout.
    barrier = threading.Barrier(5, timeout=10)

    def check() -> list[Any]:
        barrier.wait()
        return []

    result = engine.run([(f"c{i}", check) for i in range(5)], timeout=20)
    assert result.passed, result.payload(details=True)


def test_hung_check_is_an_error_and_the_run_answers_on_time(
    engine: HeartbeatEngine, release: threading.Event
) -> None:
    began = time.perf_counter()
    result = engine.run(
        [("ok", sleeper(0)), ("hung", hang_forever(release))], timeout=0.3
    )
    assert time.perf_counter() - began < 0.3 + SLACK
    hung = result["hung"]
    assert hung.timed_out and hung.duration == 0.3
    assert [m.id for m in hung.messages] == [health.ERROR_CHECK_TIMEOUT]
    assert "did not finish within 0.3 seconds" in hung.messages[0].msg
    assert result["ok"].status == "ok"
    assert result.failed


def test_per_check_timeouts(engine: HeartbeatEngine, release: threading.Event) -> None:
    result = engine.run(
        [("slow", sleeper(0.3)), ("hung", hang_forever(release))],
        timeout=0.1,
        timeouts={"slow": 2.0},
    )
    assert result["slow"].status == "ok"
    assert result["hung"].timed_out


def test_raising_check_is_an_error_with_its_own_id(
    engine: HeartbeatEngine, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> list[Any]:
        raise ConnectionError("backend at 10.0.0.5 refused")

    with caplog.at_level(logging.ERROR, logger="dockerflow.checks"):
        result = engine.run([("broken", broken)])
    (message,) = result["broken"].messages
    assert message.id == health.ERROR_CHECK_EXCEPTION
    assert (
        message.msg
        == "Check 'broken' raised ConnectionError: backend at 10.0.0.5 refused"
    )
    (record,) = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is ConnectionError
    assert record.check == "broken"  # type: ignore[attr-defined]


def test_base_exceptions_in_checks_are_isolated_too(engine: HeartbeatEngine) -> None:
    def exits() -> None:
        raise SystemExit(3)

    assert (
        engine.run([("exits", exits)])["exits"].messages[0].id
        == health.ERROR_CHECK_EXCEPTION
    )


@pytest.mark.parametrize(
    "value", [5, "text", {"id": "x"}, [1, 2], [Error("ok"), "not a message"], object()]
)
def test_invalid_results(engine: HeartbeatEngine, value: Any) -> None:
    (message,) = engine.run([("odd", lambda: value)])["odd"].messages
    assert message.id == health.ERROR_CHECK_INVALID_RESULT


@pytest.mark.parametrize(
    ("value", "count"),
    [(None, 0), ([], 0), (Warning("one"), 1), ((m for m in [Info("a"), Info("b")]), 2)],
)
def test_accepted_results(engine: HeartbeatEngine, value: Any, count: int) -> None:
    assert len(engine.run([("c", lambda: value)])["c"].messages) == count


def test_django_messages_are_accepted(engine: HeartbeatEngine) -> None:
    from django.core import checks as django_checks

    result = engine.run([("dj", lambda: [django_checks.Error("x", id="dj.E1")])])
    assert result.statuses == {"dj": "error"}


def test_silenced_ids_are_dropped_before_logging(
    engine: HeartbeatEngine, caplog: pytest.LogCaptureFixture
) -> None:
    def check() -> list[Any]:
        return [Error("hidden", id="acme.E001"), Warning("shown", id="acme.W001")]

    with caplog.at_level(logging.DEBUG, logger="dockerflow.checks"):
        result = engine.run([("c", check)], silenced=["acme.E001"])
    assert [m.id for m in result["c"].messages] == ["acme.W001"]
    assert result.passed
    # Still logged, as python-dockerflow does, and marked as silenced.
    logged = {r.getMessage(): r.silenced for r in caplog.records}  # type: ignore[attr-defined]
    assert logged == {"acme.E001: hidden": True, "acme.W001: shown": False}


def test_engine_errors_can_be_silenced(engine: HeartbeatEngine) -> None:
    def broken() -> None:
        raise ValueError

    result = engine.run([("b", broken)], silenced=[health.ERROR_CHECK_EXCEPTION])
    assert result.passed and result["b"].messages == ()


def test_warning_passes_error_fails(engine: HeartbeatEngine) -> None:
    assert engine.run([("w", lambda: [Warning("w")])]).passed
    assert engine.run([("e", lambda: [Error("e")])]).failed
    assert engine.run([]).passed
    assert engine.run([]).status == "ok"


def test_payload_keeps_the_seed_shape_and_every_message(
    engine: HeartbeatEngine,
) -> None:
    def many() -> list[Any]:
        return [
            Warning("a.0002 unapplied", id="W1"),
            Warning("b.0003 unapplied", id="W1"),
            Info("i"),
        ]

    result = engine.run({"ok": lambda: [], "many": many})
    payload = result.payload()
    assert payload["status"] == "warning"
    assert payload["checks"] == {"ok": "ok", "many": "warning"}
    assert list(payload["details"]) == ["many"]
    detail = payload["details"]["many"]
    assert detail["status"] == "warning" and detail["level"] == 30
    assert detail["messages"] == {"W1": "a.0002 unapplied\nb.0003 unapplied", "": "i"}
    assert set(payload["durations_ms"]) == {"ok", "many"}
    assert result.payload(details=False) == {"status": "warning"}


def test_result_value(engine: HeartbeatEngine) -> None:
    result = engine.run([("a", lambda: []), ("b", lambda: [Error("x")])])
    assert isinstance(result, HeartbeatResult) and ChecksResults is HeartbeatResult
    assert [c.name for c in result] == ["a", "b"]
    assert isinstance(result["a"], CheckResult)
    with pytest.raises(KeyError):
        result["missing"]
    assert result.level == 40 and result.details["b"]["level"] == 40
    assert result.started_at > 0 and result.duration >= 0
    assert not result.cached


def test_caching(engine: HeartbeatEngine) -> None:
    calls: list[int] = []
    pairs = [("c", lambda: calls.append(1))]
    first = engine.run(pairs, cache_ttl=0.3)
    second = engine.run(pairs, cache_ttl=0.3)
    assert len(calls) == 1
    assert not first.cached and second.cached and second == first
    time.sleep(0.35)
    engine.run(pairs, cache_ttl=0.3)
    assert len(calls) == 2
    engine.run(pairs)  # no caching asked for
    assert len(calls) == 3
    engine.clear_cache()


def blocked_waiting(thread: threading.Thread) -> bool:
    """Whether ``thread`` is parked in a threading wait (a future's result,
    an event), rather than still on its way there."""
    frame = sys._current_frames().get(thread.ident or 0)
    return (
        frame is not None
        and frame.f_code.co_name == "wait"
        and frame.f_code.co_filename == threading.__file__
    )


def test_concurrent_runs_share_one_run(engine: HeartbeatEngine) -> None:
    calls: list[int] = []
    go = threading.Event()

    def leader_check() -> list[Any]:
        calls.append(1)
        go.wait(10)  # held until every caller has joined the run
        return []

    results: list[HeartbeatResult] = []
    pairs = [("held", leader_check)]
    callers = [
        threading.Thread(target=lambda: results.append(engine.run(pairs, timeout=20)))
        for _ in range(8)
    ]
    for caller in callers:
        caller.start()
    deadline = time.monotonic() + 10
    while not all(blocked_waiting(c) for c in callers):
        assert time.monotonic() < deadline, "callers never all waited"
        time.sleep(0.01)
    go.set()
    for caller in callers:
        caller.join(10)
    assert len(results) == 8 and all(r.passed for r in results)
    # One run, whose result every caller shares; separate runs would each
    # have joined the one check thread, but made results of their own.
    assert len(calls) == 1 and len({id(r) for r in results}) == 1


def test_thread_cleanup_runs_on_the_worker_thread() -> None:
    seen: list[str] = []

    def cleanup() -> None:
        seen.append(threading.current_thread().name)
        raise RuntimeError("cleanup errors are logged, not raised")

    engine = HeartbeatEngine(thread_cleanup=cleanup)
    assert engine.run([("c", lambda: [])]).passed
    assert seen == ["dockerflow-check-c"]


def test_async_checks_in_a_sync_run(engine: HeartbeatEngine) -> None:
    async def check() -> list[Any]:
        await asyncio.sleep(0.01)
        return [Warning("async ran")]

    assert engine.run([("a", check)])["a"].status == "warning"


# -- async -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_run_mixes_sync_and_async_checks_concurrently(
    engine: HeartbeatEngine,
) -> None:
    # Every check, on a thread or on the loop, waits until all four started.
    started, lock, everyone = [0], threading.Lock(), threading.Event()

    def arrive() -> None:
        with lock:
            started[0] += 1
            if started[0] == 4:
                everyone.set()

    def sync_check() -> list[Any]:
        arrive()
        assert everyone.wait(10), "the other checks never started"
        return []

    async def async_check() -> list[Any]:
        arrive()
        assert await asyncio.to_thread(everyone.wait, 10), "never all started"
        return []

    pairs = [
        ("s1", sync_check),
        ("s2", sync_check),
        ("a1", async_check),
        ("a2", async_check),
    ]
    result = await engine.run_async(pairs, timeout=20)
    assert result.passed, result.payload(details=True)


@pytest.mark.asyncio
async def test_async_hung_checks_answer_on_time(
    engine: HeartbeatEngine, release: threading.Event
) -> None:
    cancelled: list[bool] = []

    async def hangs() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def ignores_cancel() -> None:
        for _ in range(3):
            try:
                await asyncio.sleep(0.2)
            except asyncio.CancelledError:
                continue

    began = time.perf_counter()
    result = await engine.run_async(
        [
            ("hangs", hangs),
            ("stubborn", ignores_cancel),
            ("thread", hang_forever(release)),
        ],
        timeout=0.2,
    )
    assert time.perf_counter() - began < 0.2 + SLACK
    assert all(c.timed_out for c in result)
    await asyncio.sleep(0.05)
    assert cancelled == [True]
    await asyncio.sleep(0.7)  # let the stubborn coroutine finish


@pytest.mark.asyncio
async def test_a_starved_loop_still_sees_a_late_check_as_timed_out(
    engine: HeartbeatEngine,
) -> None:
    """The loop is blocked past both the timeout and the check's return: the
    result is there when the waiter wakes, and it still came too late."""

    async def starve_the_loop() -> None:
        await asyncio.sleep(0.05)  # the run is waiting by now
        time.sleep(0.6)  # the 0.3 s check returns meanwhile

    starving = asyncio.ensure_future(starve_the_loop())
    (check,) = await engine.run_async([("slow", sleeper(0.3))], timeout=0.1)
    await starving
    assert check.timed_out


@pytest.mark.asyncio
async def test_a_joined_check_is_timed_from_when_the_run_joined(
    engine: HeartbeatEngine,
) -> None:
    """A run that joins a check another run started, still within that run's
    timeout, gets its result if it returns within this run's own timeout."""
    slow = sleeper(0.4)
    first = asyncio.ensure_future(engine.run_async([("slow", slow)], timeout=5))
    await asyncio.sleep(0.2)  # the check has run 0.2 s of its 0.4 s
    # A fresh attempt would need 0.4 s; the joined one returns in about 0.2 s.
    (joined,) = await engine.run_async([("slow", slow)], timeout=0.35)
    assert not joined.timed_out, joined
    assert (await first).passed


@pytest.mark.asyncio
async def test_async_raising_and_invalid(engine: HeartbeatEngine) -> None:
    async def raises() -> None:
        raise KeyError("k")

    async def odd() -> int:
        return 5

    result = await engine.run_async([("raises", raises), ("odd", odd)])
    assert result["raises"].messages[0].id == health.ERROR_CHECK_EXCEPTION
    assert result["odd"].messages[0].id == health.ERROR_CHECK_INVALID_RESULT


@pytest.mark.asyncio
async def test_sync_function_returning_a_coroutine_runs_on_the_callers_loop(
    engine: HeartbeatEngine,
) -> None:
    loop = asyncio.get_running_loop()
    seen: list[Any] = []

    async def inner() -> list[Any]:
        seen.append(asyncio.get_running_loop())
        return []

    result = await engine.run_async([("wrapped", lambda: inner())])
    assert result.passed and seen == [loop]


@pytest.mark.asyncio
async def test_async_concurrent_runs_share_one_run(engine: HeartbeatEngine) -> None:
    calls: list[int] = []

    async def slow() -> list[Any]:
        calls.append(1)
        await asyncio.sleep(0.2)
        return []

    pairs = [("slow", slow)]
    results = await asyncio.gather(*(engine.run_async(pairs) for _ in range(6)))
    assert len(results) == 6 and len(calls) == 1
    cached = await engine.run_async(pairs, cache_ttl=5)
    again = await engine.run_async(pairs, cache_ttl=5)
    assert again.cached and not cached.cached and len(calls) == 2


@pytest.mark.asyncio
async def test_cancelled_leader_lets_joiners_run(engine: HeartbeatEngine) -> None:
    async def slow() -> list[Any]:
        await asyncio.sleep(0.2)
        return []

    pairs = [("slow", slow)]
    leader = asyncio.ensure_future(engine.run_async(pairs))
    await asyncio.sleep(0.01)
    joiner = asyncio.ensure_future(engine.run_async(pairs))
    await asyncio.sleep(0.01)
    leader.cancel()
    result = await joiner
    assert result.passed
    with pytest.raises(asyncio.CancelledError):
        await leader


def test_hung_thread_finishing_after_its_loop_closed(
    engine: HeartbeatEngine, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    workers: list[threading.Thread] = []

    def slow() -> list[Any]:
        workers.append(threading.current_thread())
        release.wait(10)
        return []

    caplog.set_level(logging.DEBUG)
    result = asyncio.run(engine.run_async([("slow", slow)], timeout=0.05))
    assert result.failed
    release.set()  # the check ends after its loop closed
    (worker,) = workers
    worker.join(10)  # its done-callbacks ran on it, before it ended
    assert not worker.is_alive()
    # A failing callback would only be logged, by concurrent.futures or asyncio.
    theirs = [r for r in caplog.records if r.name in ("asyncio", "concurrent.futures")]
    assert [r.getMessage() for r in theirs if r.levelno >= logging.WARNING] == []
