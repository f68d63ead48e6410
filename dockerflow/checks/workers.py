"""Where checks run: sync checks on daemon threads, async checks as tasks.

A check still running within its timeout is joined, never started twice. Once
an attempt is past its timeout it is abandoned: the next run starts a fresh
one, so a service that hung and answers again passes on the next probe. A
thread cannot be stopped, so at most ``MAX_ATTEMPTS`` attempts of one check
run at once; a run at that bound waits for one of them to end, then starts
afresh (crowding.py), never reporting an attempt older than its timeout.
Checks are known by a key (the registry's and the check's name), not by the
identity of the callable, so adapters may wrap checks afresh on every run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

logger = logging.getLogger("dockerflow.checks")

CheckFn = Callable[[], Any]

#: Attempts of one check that may run at once: the newest, and those
#: abandoned past their timeout that have not returned yet. A check stuck
#: for good (a socket without a timeout on a hung service) holds this many
#: threads at most, however often it is probed.
MAX_ATTEMPTS = 3

W = TypeVar("W")

_timeout: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "dockerflow_check_timeout", default=None
)


def current_timeout() -> float | None:
    """The timeout of the check running in this context, in seconds; None
    outside a check. A check can give its client this much (or a little
    more), so its attempts on a hung service end by themselves."""
    return _timeout.get()


@dataclass(frozen=True)
class Outcome:
    """What one call of a check gave: its value or its error, how long it
    took, and when it returned (``time.perf_counter()``)."""

    value: Any = None
    error: BaseException | None = None
    duration: float = 0.0
    finished: float = 0.0


class Attempt(Generic[W]):
    """One call of a check, running on a thread (a future) or as a task."""

    __slots__ = ("deadline", "limit", "waiter")

    def __init__(self, waiter: W, limit: float) -> None:
        self.waiter = waiter
        self.limit = limit
        #: When it passes its timeout (``time.perf_counter()``).
        self.deadline = time.perf_counter() + limit


@dataclass(frozen=True)
class Joined(Generic[W]):
    """What a run waits on for one check, and whether no fresh attempt could
    start because ``running`` attempts already were (``MAX_ATTEMPTS``)."""

    waiter: W
    crowded: int = 0


def is_async_check(func: Any) -> bool:
    """Whether calling ``func`` gives a coroutine (partials are unwrapped)."""
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - async callable objects
    )


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _choose(
    running: list[Attempt[W]], start: Callable[[], Attempt[W]]
) -> tuple[Attempt[W], int]:
    """The attempt a run waits on, from ``running`` (oldest first) or ``start``ed
    now, and how many ran already when none could be started."""
    newest = running[-1] if running else None
    if newest is not None and time.perf_counter() <= newest.deadline:
        return newest, 0
    if newest is not None and len(running) >= MAX_ATTEMPTS:
        return newest, len(running)
    attempt = start()
    running.append(attempt)
    return attempt, 0


def _forget(table: dict[Any, list[Attempt[Any]]], key: Any, attempt: Any) -> None:
    running = table.get(key, [])
    if attempt in running:
        running.remove(attempt)
    if not running:
        table.pop(key, None)


class Workers:
    """The threads and tasks running checks, by key, each bounded in number."""

    def __init__(self, thread_cleanup: Callable[[], None] | None = None) -> None:
        self.thread_cleanup = thread_cleanup
        self._lock = threading.Lock()
        self._threads: dict[Hashable, list[Attempt[concurrent.futures.Future]]] = {}
        # One asyncio future per running thread and loop: every heartbeat
        # that joins a hung thread waits on the same one, so waiting adds no
        # callback to the thread's future (nothing grows while it hangs).
        self._bridges: dict[tuple[int, Attempt[Any]], asyncio.Future] = {}
        self._tasks: dict[tuple[int, Hashable], list[Attempt[asyncio.Task]]] = {}

    def running(self, key: Hashable) -> int:
        """How many attempts of the check known by ``key`` run on threads now."""
        with self._lock:
            return len(self._threads.get(key, ()))

    # -- threads -------------------------------------------------------------

    def thread(
        self,
        key: Hashable,
        name: str,
        fn: CheckFn,
        limit: float,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> Joined[concurrent.futures.Future]:
        """The future of ``fn`` running on a thread: the attempt still within
        its timeout, or a fresh one."""
        attempt, crowded = self._thread_attempt(key, name, fn, limit, loop)
        return Joined(attempt.waiter, crowded)

    def _thread_attempt(
        self,
        key: Hashable,
        name: str,
        fn: CheckFn,
        limit: float,
        loop: asyncio.AbstractEventLoop | None,
    ) -> tuple[Attempt[concurrent.futures.Future], int]:
        started: list[Attempt[concurrent.futures.Future]] = []

        def start() -> Attempt[concurrent.futures.Future]:
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_running_or_notify_cancel()
            started.append(Attempt(future, limit))
            return started[0]

        with self._lock:
            attempt, crowded = _choose(self._threads.setdefault(key, []), start)
        if started:
            # The caller's context (its request id, above all) goes with the
            # check, so records the check logs belong to the request that
            # started it.
            context = contextvars.copy_context()
            threading.Thread(
                target=context.run,
                args=(self._work, key, fn, attempt, loop),
                name=f"dockerflow-check-{name}",
                daemon=True,
            ).start()
        return attempt, crowded

    def _work(
        self,
        key: Hashable,
        fn: CheckFn,
        attempt: Attempt[concurrent.futures.Future],
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        _timeout.set(attempt.limit)  # in the copied context, for this check only
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
            finished = time.perf_counter()
            if self.thread_cleanup is not None:
                try:
                    self.thread_cleanup()
                except Exception:
                    logger.exception("Dockerflow check thread cleanup failed")
            with self._lock:
                _forget(self._threads, key, attempt)
            attempt.waiter.set_result(Outcome(value, error, finished - begun, finished))

    def bridged(
        self,
        key: Hashable,
        name: str,
        fn: CheckFn,
        limit: float,
        loop: asyncio.AbstractEventLoop,
    ) -> Joined[asyncio.Future]:
        """An asyncio future following ``fn``'s thread; shared, so never cancel it."""
        attempt, crowded = self._thread_attempt(key, name, fn, limit, loop)
        bridge_key = (id(loop), attempt)
        bridge = self._bridges.get(bridge_key)
        if bridge is not None and not bridge.done():
            return Joined(bridge, crowded)
        bridge = self._bridges[bridge_key] = loop.create_future()
        source = attempt.waiter

        def copy() -> None:
            if self._bridges.get(bridge_key) is bridge:
                del self._bridges[bridge_key]
            if not bridge.done():
                bridge.set_result(source.result())

        def done(_: concurrent.futures.Future) -> None:
            # The loop may have closed while the check ran; nobody waits then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(copy)

        source.add_done_callback(done)
        return Joined(bridge, crowded)

    # -- tasks -----------------------------------------------------------------

    def task(
        self,
        key: Hashable,
        name: str,
        fn: CheckFn,
        limit: float,
        loop: asyncio.AbstractEventLoop,
    ) -> Joined[asyncio.Task]:
        """The task running the coroutine function ``fn``: the attempt still
        within its timeout, or a fresh one (a coroutine that ignored being
        cancelled may still run)."""
        task_key = (id(loop), key)

        async def timed() -> Outcome:
            _timeout.set(limit)  # in the task's own copy of the context
            begun = time.perf_counter()
            try:
                value, error = await fn(), None
            except Exception as exc:
                value, error = None, exc
            finished = time.perf_counter()
            return Outcome(value, error, finished - begun, finished)

        def start() -> Attempt[asyncio.Task]:
            task = loop.create_task(timed(), name=f"dockerflow-check-{name}")
            attempt = Attempt(task, limit)
            task.add_done_callback(lambda _: _forget(self._tasks, task_key, attempt))
            return attempt

        attempt, crowded = _choose(self._tasks.setdefault(task_key, []), start)
        return Joined(attempt.waiter, crowded)
