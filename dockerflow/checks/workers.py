"""Where checks run: sync checks on daemon threads, async checks as tasks.

A check still running from an earlier heartbeat is joined, never started
again, so a hung check holds one thread (or task) however often it is probed.
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
from typing import Any

logger = logging.getLogger("dockerflow.checks")

CheckFn = Callable[[], Any]


@dataclass(frozen=True)
class Outcome:
    """What one call of a check gave: its value or its error, how long it
    took, and when it returned (``time.perf_counter()``)."""

    value: Any = None
    error: BaseException | None = None
    duration: float = 0.0
    finished: float = 0.0


def is_async_check(func: Any) -> bool:
    """Whether calling ``func`` gives a coroutine (partials are unwrapped)."""
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - async callable objects
    )


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class Workers:
    """The threads and tasks running checks, each started once per key."""

    def __init__(self, thread_cleanup: Callable[[], None] | None = None) -> None:
        self.thread_cleanup = thread_cleanup
        self._lock = threading.Lock()
        self._threads: dict[Hashable, concurrent.futures.Future] = {}
        # One asyncio future per running thread and loop: every heartbeat
        # that joins a hung thread waits on the same one, so waiting adds no
        # callback to the thread's future (nothing grows while it hangs).
        self._bridges: dict[tuple[int, Hashable], asyncio.Future] = {}
        self._tasks: dict[tuple[int, Hashable], asyncio.Task] = {}

    # -- threads -------------------------------------------------------------

    def thread(
        self,
        key: Hashable,
        name: str,
        fn: CheckFn,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> concurrent.futures.Future:
        """The future of ``fn`` running on a thread, joining one already running."""
        with self._lock:
            running = self._threads.get(key)
            if running is not None:
                return running
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_running_or_notify_cancel()
            self._threads[key] = future
        # The caller's context (its request id, above all) goes with the check,
        # so records the check logs belong to the request that started it.
        context = contextvars.copy_context()
        worker = threading.Thread(
            target=context.run,
            args=(self._work, key, fn, future, loop),
            name=f"dockerflow-check-{name}",
            daemon=True,
        )
        worker.start()
        return future

    def _work(
        self,
        key: Hashable,
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
            finished = time.perf_counter()
            if self.thread_cleanup is not None:
                try:
                    self.thread_cleanup()
                except Exception:
                    logger.exception("Dockerflow check thread cleanup failed")
            with self._lock:
                self._threads.pop(key, None)
            future.set_result(Outcome(value, error, finished - begun, finished))

    def bridged(
        self, key: Hashable, name: str, fn: CheckFn, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Future:
        """An asyncio future following ``fn``'s thread; shared, so never cancel it."""
        source = self.thread(key, name, fn, loop)
        bridge_key = (id(loop), key)
        bridge = self._bridges.get(bridge_key)
        if bridge is not None and not bridge.done():
            return bridge
        bridge = self._bridges[bridge_key] = loop.create_future()

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
        return bridge

    # -- tasks -----------------------------------------------------------------

    def task(
        self, key: Hashable, name: str, fn: CheckFn, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Task:
        """The task running the coroutine function ``fn``, joining a running one."""
        task_key = (id(loop), key)
        running = self._tasks.get(task_key)
        if running is not None:
            return running

        async def timed() -> Outcome:
            begun = time.perf_counter()
            try:
                value, error = await fn(), None
            except Exception as exc:
                value, error = None, exc
            finished = time.perf_counter()
            return Outcome(value, error, finished - begun, finished)

        task = loop.create_task(timed(), name=f"dockerflow-check-{name}")
        self._tasks[task_key] = task
        task.add_done_callback(lambda _: self._tasks.pop(task_key, None))
        return task
