"""The writer: one thread per process stores the recorder's runs after the
heartbeat has answered, from a bounded queue whose oldest run gives way.

A dropped run is counted and its flips and counters ride with the next run
of its host, so only its own row is lost. Of the runs only to be checked
against the database, one per host waits, the newest. docs/history.rst says
what a worker that exits, or is killed, can lose.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from django.db import connections

from .store import VERIFY

if TYPE_CHECKING:
    from .recorder import Pending, Recorder

__all__ = ["DRAIN_SECONDS", "IDLE_SECONDS", "Writer"]

logger = logging.getLogger("dockerflow.history")

#: The longest a worker's exit waits for its queue to be stored.
DRAIN_SECONDS = 5.0
#: A writer with nothing to store this long closes its database connection.
IDLE_SECONDS = 30.0
#: A burst of drops that goes on is logged again this often.
REPORT_SECONDS = 60.0
#: The writer thread's jobs.
WRITE, FLUSH, LOG, IDLE = "write", "flush", "log", "idle"


class Writer:
    """The process's writer thread and its queue (:data:`history.writer`).

    :meth:`submit` never waits for the database; :meth:`drain` does, up to
    a bound. Started on the first submit of each process, so a fork (a
    gunicorn worker) gets a thread and queue of its own.
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._cond = threading.Condition()
        self._exit_hooked: set[int] = set()
        self.reset()

    def reset(self) -> None:
        """Forget the queue and the counts (tests); a running thread stops."""
        old = getattr(self, "_thread", None)
        with self._cond:
            self._pid = os.getpid()
            self._queue: deque[Pending] = deque()
            #: Each host's last queued run, so a newer check replaces it.
            self._last: dict[str, Pending] = {}
            self._thread: threading.Thread | None = None
            self._generation = getattr(self, "_generation", 0) + 1
            self._busy = False
            self._flush_wanted = False
            #: Runs dropped since the process started, and stored by the thread.
            self.dropped = 0
            self.written = 0
            self._burst = 0
            self._burst_since = 0.0
            self._cond.notify_all()
        if old is not None and old is not threading.current_thread():
            old.join(timeout=DRAIN_SECONDS)

    @property
    def queued(self) -> int:
        """Runs waiting now, not counting one being stored."""
        with self._cond:
            return len(self._queue)

    @property
    def busy(self) -> bool:
        """Whether the thread is storing a run (or the counters) now."""
        with self._cond:
            return self._busy

    def submit(self, pending: Pending, capacity: int) -> None:
        """Queue ``pending``, dropping the oldest runs past ``capacity``."""
        report = None
        host = pending.visit.host
        with self._cond:
            self._adopt()
            last = self._last.get(host)
            if (
                last is not None
                and last.visit.store == VERIFY
                and pending.visit.store == VERIFY
            ):
                # Newest wins: it says all the older one did. Only the last
                # of the host's queue, so a check never jumps ahead of a run.
                last.visit = pending.visit
                return
            while len(self._queue) >= capacity:
                self._drop(self._take())
                report = self._report_due()
            self._queue.append(pending)
            self._last[host] = pending
            self._start()
            self._cond.notify_all()
        if report:
            self._log_drops(report)

    def _take(self) -> Pending:
        """The oldest queued run, out of the queue (lock held)."""
        pending = self._queue.popleft()
        if self._last.get(pending.visit.host) is pending:
            del self._last[pending.visit.host]
        return pending

    def _adopt(self) -> None:
        """After a fork, the parent's queue and thread are not this process's."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._queue = deque()
            self._last = {}
            self._thread = None
            self._busy = False
            self._burst = 0

    def _drop(self, pending: Pending) -> None:
        self.dropped += 1
        if not self._burst:
            self._burst_since = time.monotonic()
        self._burst += 1
        host = pending.visit.host
        later = next((p for p in self._queue if p.visit.host == host), None)
        if later is not None:
            later.absorb(pending)
        else:
            self.recorder.give_back(pending)

    def _report_due(self) -> int:
        """How many drops to log now, if a long burst is due a record (lock held)."""
        if time.monotonic() - self._burst_since < REPORT_SECONDS:
            return 0
        burst, self._burst = self._burst, 0
        return burst

    def _end_burst(self) -> int:
        burst, self._burst = self._burst, 0
        return burst

    @staticmethod
    def _log_drops(count: int) -> None:
        logger.warning(
            "Heartbeat history: %d runs dropped, the oldest queued: the database "
            "stores runs more slowly than the heartbeat runs them "
            "(DOCKERFLOW_HISTORY_QUEUE)",
            count,
            extra={"dropped": count},
        )

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(
            target=self._run,
            args=(self._generation,),
            name="dockerflow-history-writer",
            daemon=True,
        )
        self._thread.start()
        if self._pid not in self._exit_hooked:
            # Python runs it after the main thread and before daemon threads
            # stop: gunicorn's and uvicorn's workers, runserver, any script.
            self._exit_hooked.add(self._pid)
            atexit.register(self.drain)

    def _run(self, generation: int) -> None:
        try:
            self._serve(generation)
        finally:
            connections.close_all()  # a thread's connections outlive it otherwise

    def _serve(self, generation: int) -> None:
        marks = (self.recorder.failures, self.recorder.outages)
        while (job := self._next(generation)) is not None:
            kind, pending, burst = job
            if kind == IDLE:
                connections.close_all()  # this thread's only
                continue
            if (self.recorder.failures, self.recorder.outages) != marks:
                # A connection a write failed on, or open while the database
                # was out, is dead or hung: the next write starts afresh.
                marks = (self.recorder.failures, self.recorder.outages)
                connections.close_all()
            try:
                if kind == LOG:
                    self._log_drops(burst)
                elif pending is not None:
                    self.recorder.write(pending)
                else:
                    self._flush()
            finally:
                self._finished(kind)

    def _next(self, generation: int) -> tuple[str, Pending | None, int] | None:
        """The thread's next job: ``(kind, run, drops)``; None once reset."""
        with self._cond:
            if generation != self._generation:
                return None  # reset: a newer thread owns the queue
            if not self._queue and not self._flush_wanted:
                # The queue caught up: a burst of drops is over. Busy until
                # it is logged, so a drain that returns has seen it logged.
                burst = self._end_burst()
                if burst:
                    self._busy = True
                    return LOG, None, burst
                woke = self._cond.wait_for(
                    lambda: (
                        self._queue
                        or self._flush_wanted
                        or generation != self._generation
                    ),
                    IDLE_SECONDS,
                )
                if generation != self._generation:
                    return None
                if not woke:
                    return IDLE, None, 0
            self._busy = True
            if self._queue:
                return WRITE, self._take(), 0
            return FLUSH, None, 0

    def _finished(self, kind: str) -> None:
        with self._cond:
            self._busy = False
            if kind == WRITE:
                self.written += 1
            elif kind == FLUSH:
                self._flush_wanted = False
            self._cond.notify_all()

    def _flush(self) -> None:
        try:
            self.recorder.flush()
        except Exception as exc:
            logger.warning(
                "Heartbeat counters not recorded: %s: %s", type(exc).__name__, exc
            )

    def drain(self, timeout: float = DRAIN_SECONDS) -> bool:
        """Store what is queued, and the counters, waiting at most ``timeout``
        seconds; whether everything was stored. Gunicorn's ``worker_exit``
        and ``atexit`` call it; a drained writer takes runs again."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._adopt()
            alive = self._thread is not None and self._thread.is_alive()
            if alive:
                self._flush_wanted = True
                self._cond.notify_all()
                while self._queue or self._busy or self._flush_wanted:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                left_behind = len(self._queue) + self._busy
                burst = self._end_burst()
            else:
                pending = list(self._queue)
                self._queue.clear()
                self._last.clear()
                left_behind = 0
                burst = self._end_burst()
        if burst:
            self._log_drops(burst)
        if not alive:
            # No thread to hand them to (the interpreter may be too far gone
            # to start one): this thread stores them.
            for item in pending:
                if time.monotonic() >= deadline:
                    left_behind += 1
                    continue
                self.recorder.write(item)
            if time.monotonic() < deadline:
                self._flush()
        if left_behind:
            logger.warning(
                "Heartbeat history: %d runs not stored: the writer did not "
                "finish within %g s of the worker's exit",
                left_behind,
                timeout,
                extra={"lost": left_behind},
            )
        return not left_behind
