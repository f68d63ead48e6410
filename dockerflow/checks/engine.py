"""The heartbeat engine: runs named checks concurrently, each under a timeout.

One implementation serves Django, Flask and Sanic. A check that raises, hangs
or returns garbage becomes an error message; the run itself always returns.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from .crowding import uncrowded, uncrowded_sync
from .limits import DEFAULT_TIMEOUT, MAX_TIMEOUT, clamp_timeout
from .outcomes import to_result
from .results import CheckResult, HeartbeatResult
from .workers import MAX_ATTEMPTS, CheckFn, Outcome, Workers, is_async_check

Checks = Iterable[tuple[str, CheckFn]] | Mapping[str, CheckFn]

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_ATTEMPTS",
    "MAX_TIMEOUT",
    "CheckFn",
    "Checks",
    "HeartbeatEngine",
    "is_async_check",
]


class _Plan:
    """One run's checks, each with its key and time limit, and the run's key."""

    __slots__ = ("checks", "key", "limits", "silenced")

    def __init__(
        self,
        checks: list[tuple[Hashable, str, CheckFn]],
        limits: list[float],
        silenced: frozenset[str],
    ) -> None:
        self.checks = checks
        self.limits = limits
        self.silenced = silenced
        # Single-flight and the cache share runs of the same checks with the
        # same limits and silenced IDs.
        self.key = (tuple(key for key, _, _ in checks), silenced, tuple(limits))

    @classmethod
    def make(
        cls,
        checks: Checks,
        silenced: Iterable[str],
        timeout: float | None,
        timeouts: Mapping[str, float] | None,
        scope: Hashable,
    ) -> _Plan:
        pairs = list(checks.items() if isinstance(checks, Mapping) else checks)
        default = DEFAULT_TIMEOUT if timeout is None else clamp_timeout(float(timeout))
        overrides = timeouts or {}
        return cls(
            [
                ((scope, name) if scope is not None else (name, id(fn)), name, fn)
                for name, fn in pairs
            ],
            [clamp_timeout(float(overrides.get(name, default))) for name, _ in pairs],
            frozenset(silenced or ()),
        )


class HeartbeatEngine:
    """Runs checks concurrently with per-check timeouts.

    Sync checks run on daemon threads, async checks on the caller's event
    loop. A check still running within its timeout from an earlier run is
    joined, not started again; one past its timeout is abandoned, and the
    run starts a fresh attempt, so a check recovers as soon as its service
    does. A check holds at most ``MAX_ATTEMPTS`` threads however long it
    hangs: at that bound, runs join the newest attempt until one ends.
    Concurrent runs of the same checks share one run (single-flight), and
    ``cache_ttl`` keeps a finished run for that many seconds.

    Timeouts are brought into 0 to ``MAX_TIMEOUT`` seconds (NaN means the
    default), so no float makes a run raise.

    A check is known by ``scope`` (its registry, say) and its name, so the
    callables may be new objects on every run. Without a scope, by its name
    and the callable's identity.

    ``thread_cleanup`` is called on a worker thread after each sync check,
    e.g. to close the database connections that thread opened.
    """

    def __init__(self, thread_cleanup: Callable[[], None] | None = None) -> None:
        self.workers = Workers(thread_cleanup)
        self._lock = threading.Lock()
        self._sync_runs: dict[Any, concurrent.futures.Future] = {}
        self._async_runs: dict[Any, asyncio.Future] = {}
        self._cache: dict[Any, tuple[float, HeartbeatResult]] = {}

    @property
    def thread_cleanup(self) -> Callable[[], None] | None:
        return self.workers.thread_cleanup

    # -- public API -----------------------------------------------------

    def run(
        self,
        checks: Checks,
        *,
        silenced: Iterable[str] = (),
        timeout: float | None = None,
        timeouts: Mapping[str, float] | None = None,
        cache_ttl: float = 0.0,
        scope: Hashable = None,
    ) -> HeartbeatResult:
        """Run ``checks`` (pairs of name and callable) and return the result."""
        plan = _Plan.make(checks, silenced, timeout, timeouts, scope)
        cached = self._from_cache(plan.key, cache_ttl)
        if cached is not None:
            return cached
        with self._lock:
            shared = self._sync_runs.get(plan.key)
            if shared is None:
                leader = self._sync_runs[plan.key] = concurrent.futures.Future()
                leader.set_running_or_notify_cancel()
        if shared is not None:
            return shared.result()  # type: ignore[no-any-return]
        try:
            result = self._execute_sync(plan)
        except BaseException as exc:  # pragma: no cover - defensive
            leader.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._sync_runs.pop(plan.key, None)
        self._store(plan.key, result, cache_ttl)
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
        scope: Hashable = None,
    ) -> HeartbeatResult:
        """Like :meth:`run`, awaiting async checks on the running loop."""
        plan = _Plan.make(checks, silenced, timeout, timeouts, scope)
        loop = asyncio.get_running_loop()
        cached = self._from_cache(plan.key, cache_ttl)
        if cached is not None:
            return cached
        run_key = (id(loop), plan.key)
        shared = self._async_runs.get(run_key)
        if shared is not None:
            try:
                return await asyncio.shield(shared)  # type: ignore[no-any-return]
            except asyncio.CancelledError:
                if not shared.cancelled():
                    raise  # this caller was cancelled, not the shared run
            return await self._execute_async(plan, loop)
        leader = self._async_runs[run_key] = loop.create_future()
        try:
            result = await self._execute_async(plan, loop)
        except BaseException:
            leader.cancel()  # joiners then run on their own
            raise
        finally:
            self._async_runs.pop(run_key, None)
        self._store(plan.key, result, cache_ttl)
        leader.set_result(result)
        return result

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    # -- caching ----------------------------------------------------------

    def _from_cache(self, key: Any, ttl: float) -> HeartbeatResult | None:
        if not ttl > 0:  # NaN included
            return None
        with self._lock:
            entry = self._cache.get(key)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        return replace(entry[1], cached=True)

    def _store(self, key: Any, result: HeartbeatResult, ttl: float) -> None:
        if ttl > 0 and not math.isnan(ttl):
            with self._lock:
                self._cache[key] = (time.monotonic(), result)

    # -- running ----------------------------------------------------------

    def _execute_sync(self, plan: _Plan) -> HeartbeatResult:
        started_at, t0 = time.time(), time.perf_counter()
        launched = [
            (self.workers.thread(key, name, fn, limit), time.perf_counter())
            for (key, name, fn), limit in zip(plan.checks, plan.limits, strict=True)
        ]
        results = []
        for (joined, begun), (key, name, fn), limit in zip(
            launched, plan.checks, plan.limits, strict=True
        ):
            joined = uncrowded_sync(
                joined,
                lambda: self.workers.thread(key, name, fn, limit),  # noqa: B023
                begun + limit,
            )
            remaining = max(0.0, begun + limit - time.perf_counter())
            try:
                outcome = _in_time(
                    joined.waiter.result(timeout=remaining), begun, limit
                )
            except concurrent.futures.TimeoutError:
                outcome = None
            results.append(
                to_result(name, outcome, limit, plan.silenced, joined.crowded)
            )
        return self._finish(results, started_at, t0)

    async def _execute_async(
        self, plan: _Plan, loop: asyncio.AbstractEventLoop
    ) -> HeartbeatResult:
        started_at, t0 = time.time(), time.perf_counter()

        async def one(key: Hashable, name: str, fn: CheckFn, limit: float) -> Any:
            join = self.workers.task if is_async_check(fn) else self.workers.bridged
            begun = time.perf_counter()
            joined: Any = await uncrowded(
                join(key, name, fn, limit, loop),
                lambda: join(key, name, fn, limit, loop),
                begun + limit,
            )
            waiter: asyncio.Future = joined.waiter
            left = max(0.0, begun + limit - time.perf_counter())
            done, _ = await asyncio.wait({waiter}, timeout=left)
            if not done and isinstance(waiter, asyncio.Task):
                # A hung coroutine is cancelled; a hung thread cannot be, and
                # is left to end by itself while later runs start afresh.
                waiter.cancel()
            outcome = waiter.result() if done and not waiter.cancelled() else None
            return to_result(
                name,
                _in_time(outcome, begun, limit),
                limit,
                plan.silenced,
                joined.crowded,
            )

        results = await asyncio.gather(
            *(
                one(key, name, fn, limit)
                for (key, name, fn), limit in zip(plan.checks, plan.limits, strict=True)
            )
        )
        return self._finish(list(results), started_at, t0)

    # -- results ------------------------------------------------------------

    @staticmethod
    def _finish(
        results: list[CheckResult], started_at: float, t0: float
    ) -> HeartbeatResult:
        return HeartbeatResult(
            checks=tuple(results),
            started_at=started_at,
            duration=time.perf_counter() - t0,
        )


def _in_time(outcome: Outcome | None, begun: float, limit: float) -> Outcome | None:
    """``outcome``, or None (a timeout) if the check returned more than
    ``limit`` seconds after ``begun``, when this caller started waiting.

    A waiter on a starved machine can wake after both its timeout and the
    check's return, and then finds the result there; when the check
    returned is what counts. A check joined while already running counts
    from when this caller began waiting, not from the run's start.
    """
    if outcome is not None and outcome.finished - begun > limit:
        return None
    return outcome
