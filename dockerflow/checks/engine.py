"""The heartbeat engine: runs named checks concurrently, each under a timeout.

One implementation serves Django, Flask and Sanic. A check that raises, hangs
or returns garbage becomes an error message; the run itself always returns.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .. import health
from .messages import WARNING, Error
from .results import CheckResult, HeartbeatResult

logger = logging.getLogger("dockerflow.checks")

#: Seconds a check may take before it is reported as hung. Load balancers
#: commonly give a probe 5 seconds; this leaves room to answer inside that.
DEFAULT_TIMEOUT = 3.0

CheckFn = Callable[[], Any]
Checks = Iterable[tuple[str, CheckFn]]


def is_async_check(func: Any) -> bool:
    """Whether calling ``func`` gives a coroutine (partials are unwrapped)."""
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - async callable objects
    )


@dataclass(frozen=True)
class _Outcome:
    value: Any = None
    error: BaseException | None = None
    duration: float = 0.0


def _safe_text(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def _looks_like_message(item: Any) -> bool:
    return isinstance(getattr(item, "level", None), int) and hasattr(item, "msg")


def _normalize(name: str, value: Any) -> list[Any]:
    """Turn what a check returned into a list of messages."""
    if value is None:
        return []
    if _looks_like_message(value):
        return [value]
    if not isinstance(value, (str, bytes, Mapping)):
        try:
            items = list(value)
        except TypeError:
            items = None
        if items is not None and all(_looks_like_message(i) for i in items):
            return items
    return [
        Error(
            f"Check {name!r} returned {type(value).__name__}, not a list of messages",
            id=health.ERROR_CHECK_INVALID_RESULT,
        )
    ]


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class HeartbeatEngine:
    """Runs checks concurrently with per-check timeouts.

    Sync checks run on daemon threads, async checks on the caller's event
    loop. A check still running from an earlier run is joined, not started
    again, so a hung check holds at most one thread. Concurrent runs of the
    same checks share one run (single-flight), and ``cache_ttl`` keeps a
    finished run for that many seconds.

    ``thread_cleanup`` is called on a worker thread after each sync check,
    e.g. to close the database connections that thread opened.
    """

    def __init__(self, thread_cleanup: Callable[[], None] | None = None) -> None:
        self.thread_cleanup = thread_cleanup
        self._lock = threading.Lock()
        self._threads: dict[
            tuple[str, int], tuple[CheckFn, concurrent.futures.Future]
        ] = {}
        self._tasks: dict[tuple[int, str, int], tuple[CheckFn, asyncio.Task]] = {}
        self._sync_runs: dict[Any, concurrent.futures.Future] = {}
        self._async_runs: dict[Any, asyncio.Future] = {}
        self._cache: dict[Any, tuple[float, HeartbeatResult]] = {}

    # -- public API -----------------------------------------------------

    def run(
        self,
        checks: Checks,
        *,
        silenced: Iterable[str] = (),
        timeout: float | None = None,
        timeouts: Mapping[str, float] | None = None,
        cache_ttl: float = 0.0,
    ) -> HeartbeatResult:
        """Run ``checks`` (pairs of name and callable) and return the result."""
        pairs, silenced_ids, limits = self._prepare(checks, silenced, timeout, timeouts)
        key = self._key(pairs, silenced_ids, limits)
        cached = self._from_cache(key, cache_ttl)
        if cached is not None:
            return cached
        with self._lock:
            shared = self._sync_runs.get(key)
            if shared is None:
                leader = self._sync_runs[key] = concurrent.futures.Future()
                leader.set_running_or_notify_cancel()
        if shared is not None:
            return shared.result()
        try:
            result = self._execute_sync(pairs, silenced_ids, limits)
        except BaseException as exc:  # pragma: no cover - defensive
            leader.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._sync_runs.pop(key, None)
        self._store(key, result, cache_ttl)
        leader.set_result(result)
        return result

    async def run_async(
        self,
        checks: Checks,
        *,
        silenced: Iterable[str] = (),
        timeout: float | None = None,
        timeouts: Mapping[str, float] | None = None,
        cache_ttl: float = 0.0,
    ) -> HeartbeatResult:
        """Like :meth:`run`, awaiting async checks on the running loop."""
        pairs, silenced_ids, limits = self._prepare(checks, silenced, timeout, timeouts)
        loop = asyncio.get_running_loop()
        key = self._key(pairs, silenced_ids, limits)
        cached = self._from_cache(key, cache_ttl)
        if cached is not None:
            return cached
        run_key = (id(loop), key)
        shared = self._async_runs.get(run_key)
        if shared is not None:
            try:
                return await asyncio.shield(shared)
            except asyncio.CancelledError:
                if not shared.cancelled():
                    raise  # this caller was cancelled, not the shared run
            return await self._execute_async(pairs, silenced_ids, limits, loop)
        leader = self._async_runs[run_key] = loop.create_future()
        try:
            result = await self._execute_async(pairs, silenced_ids, limits, loop)
        except BaseException:
            leader.cancel()  # joiners then run on their own
            raise
        finally:
            self._async_runs.pop(run_key, None)
        self._store(key, result, cache_ttl)
        leader.set_result(result)
        return result

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    # -- preparation and caching ----------------------------------------

    @staticmethod
    def _prepare(
        checks: Checks,
        silenced: Iterable[str],
        timeout: float | None,
        timeouts: Mapping[str, float] | None,
    ) -> tuple[list[tuple[str, CheckFn]], frozenset[str], list[float]]:
        pairs = list(checks.items() if isinstance(checks, Mapping) else checks)
        default = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        overrides = timeouts or {}
        limits = [float(overrides.get(name, default)) for name, _ in pairs]
        return pairs, frozenset(silenced or ()), limits

    @staticmethod
    def _key(
        pairs: list[tuple[str, CheckFn]], silenced: frozenset[str], limits: list[float]
    ) -> Any:
        return (tuple((name, id(fn)) for name, fn in pairs), silenced, tuple(limits))

    def _from_cache(self, key: Any, ttl: float) -> HeartbeatResult | None:
        if ttl <= 0:
            return None
        with self._lock:
            entry = self._cache.get(key)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        return replace(entry[1], cached=True)

    def _store(self, key: Any, result: HeartbeatResult, ttl: float) -> None:
        if ttl > 0:
            with self._lock:
                self._cache[key] = (time.monotonic(), result)

    # -- running ----------------------------------------------------------

    def _execute_sync(
        self,
        pairs: list[tuple[str, CheckFn]],
        silenced: frozenset[str],
        limits: list[float],
    ) -> HeartbeatResult:
        started_at, t0 = time.time(), time.perf_counter()
        launched = [
            (name, self._start_thread(name, fn, None), time.perf_counter())
            for name, fn in pairs
        ]
        results = []
        for (name, future, begun), limit in zip(launched, limits, strict=False):
            remaining = max(0.0, begun + limit - time.perf_counter())
            try:
                outcome = future.result(timeout=remaining)
            except concurrent.futures.TimeoutError:
                outcome = None
            results.append(self._result(name, outcome, limit, silenced))
        return self._finish(results, started_at, t0)

    async def _execute_async(
        self,
        pairs: list[tuple[str, CheckFn]],
        silenced: frozenset[str],
        limits: list[float],
        loop: asyncio.AbstractEventLoop,
    ) -> HeartbeatResult:
        started_at, t0 = time.time(), time.perf_counter()

        async def one(name: str, fn: CheckFn, limit: float) -> CheckResult:
            if is_async_check(fn):
                waiter: asyncio.Future = self._start_task(name, fn, loop)
            else:
                waiter = self._bridge(self._start_thread(name, fn, loop), loop)
            done, _ = await asyncio.wait({waiter}, timeout=limit)
            if not done:
                # A hung coroutine is cancelled; a hung thread cannot be, so
                # the next run joins it instead of starting another.
                waiter.cancel()
            outcome = waiter.result() if done and not waiter.cancelled() else None
            return self._result(name, outcome, limit, silenced)

        results = await asyncio.gather(
            *(one(n, f, lim) for (n, f), lim in zip(pairs, limits, strict=False))
        )
        return self._finish(list(results), started_at, t0)

    def _start_thread(
        self, name: str, fn: CheckFn, loop: asyncio.AbstractEventLoop | None
    ) -> concurrent.futures.Future:
        key = (name, id(fn))
        with self._lock:
            running = self._threads.get(key)
            if running is not None:
                return running[1]
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_running_or_notify_cancel()
            self._threads[key] = (fn, future)
        worker = threading.Thread(
            target=self._work,
            args=(key, fn, future, loop),
            name=f"dockerflow-check-{name}",
            daemon=True,
        )
        worker.start()
        return future

    def _work(
        self,
        key: tuple[str, int],
        fn: CheckFn,
        future: concurrent.futures.Future,
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        begun = time.perf_counter()
        value: Any = None
        error: BaseException | None = None
        try:
            value = fn()
            if inspect.isawaitable(value):
                if loop is not None and loop.is_running():
                    value = asyncio.run_coroutine_threadsafe(
                        _await(value), loop
                    ).result()
                else:
                    value = asyncio.run(_await(value))
        except BaseException as exc:
            error = exc
        finally:
            if self.thread_cleanup is not None:
                try:
                    self.thread_cleanup()
                except Exception:
                    logger.exception("Dockerflow check thread cleanup failed")
            with self._lock:
                self._threads.pop(key, None)
            future.set_result(_Outcome(value, error, time.perf_counter() - begun))

    def _start_task(
        self, name: str, fn: CheckFn, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Task:
        key = (id(loop), name, id(fn))
        running = self._tasks.get(key)
        if running is not None:
            return running[1]

        async def timed() -> _Outcome:
            begun = time.perf_counter()
            try:
                return _Outcome(await fn(), None, time.perf_counter() - begun)
            except Exception as exc:
                return _Outcome(None, exc, time.perf_counter() - begun)

        task = loop.create_task(timed(), name=f"dockerflow-check-{name}")
        self._tasks[key] = (fn, task)
        task.add_done_callback(lambda _: self._tasks.pop(key, None))
        return task

    @staticmethod
    def _bridge(
        source: concurrent.futures.Future, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Future:
        """An asyncio future that follows ``source`` without ever cancelling it."""
        target = loop.create_future()

        def copy(_: Any) -> None:
            if not target.done():
                target.set_result(source.result())

        def done(_: concurrent.futures.Future) -> None:
            # The loop may have closed while the check ran; nobody waits then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(copy, None)

        source.add_done_callback(done)
        return target

    # -- results ------------------------------------------------------------

    def _result(
        self,
        name: str,
        outcome: _Outcome | None,
        limit: float,
        silenced: frozenset[str],
    ) -> CheckResult:
        if outcome is None:
            message = Error(
                f"Check {name!r} did not finish within {limit:g} seconds",
                id=health.ERROR_CHECK_TIMEOUT,
            )
            messages = [message]
            duration, timed_out = limit, True
        elif outcome.error is not None:
            exc = outcome.error
            messages = [
                Error(
                    f"Check {name!r} raised {type(exc).__name__}: {_safe_text(exc)}",
                    id=health.ERROR_CHECK_EXCEPTION,
                )
            ]
            duration, timed_out = outcome.duration, False
        else:
            messages = _normalize(name, outcome.value)
            duration, timed_out = outcome.duration, False
        kept = tuple(m for m in messages if getattr(m, "id", None) not in silenced)
        self._log(name, kept, outcome)
        return CheckResult(
            name=name, messages=kept, duration=duration, timed_out=timed_out
        )

    @staticmethod
    def _log(name: str, messages: tuple[Any, ...], outcome: _Outcome | None) -> None:
        for message in messages:
            if message.level < WARNING:
                continue
            error = outcome.error if outcome is not None else None
            exc_info = (
                (type(error), error, error.__traceback__) if error is not None else None
            )
            logger.log(
                message.level,
                "Check %s: %s",
                name,
                _safe_text(message.msg),
                exc_info=exc_info,
                extra={"check": name, "check_id": getattr(message, "id", None)},
            )

    @staticmethod
    def _finish(
        results: list[CheckResult], started_at: float, t0: float
    ) -> HeartbeatResult:
        return HeartbeatResult(
            checks=tuple(results),
            started_at=started_at,
            duration=time.perf_counter() - t0,
        )
