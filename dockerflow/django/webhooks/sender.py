"""Each process's sender: a daemon thread, started by the history's writer
when it writes deliveries (at once) or every :data:`POLL_SECONDS` otherwise
(to retry), that sends until nothing is due within that time, then ends.

No heartbeats, no sender: ``manage.py dockerflow_deliver`` from cron covers a
service nobody probes. Deliveries live in the database, so a process that
exits or is killed loses none.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connections

from ..conf import conf
from .delivery import deliver_due, soonest

__all__ = ["POLL_SECONDS", "Sender", "sender"]

logger = logging.getLogger("dockerflow.webhooks")

#: How often a process looks for deliveries to retry, while it is probed.
POLL_SECONDS = 10.0


class Sender:
    """One per process (:data:`sender`); :meth:`reset` for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.thread: threading.Thread | None = None
        self._polled_at = float("-inf")

    def reset(self) -> None:
        with self._lock:
            self._polled_at = float("-inf")

    def kick(self, using: str, urgent: bool = False) -> None:
        """Make sure a sender runs: ``urgent`` when deliveries were just written."""
        if not conf.webhooks or not conf.WEBHOOKS_SENDER:
            return
        with self._lock:
            if self.thread is not None:
                if urgent:
                    self._wake.set()
                return
            if not urgent and time.monotonic() - self._polled_at < POLL_SECONDS:
                return
            self._polled_at = time.monotonic()
            self._wake.clear()
            self.thread = threading.Thread(
                target=self._run, args=(using,), name="dockerflow-webhooks", daemon=True
            )
            self.thread.start()

    def _run(self, using: str) -> None:
        try:
            while True:
                hooks = conf.webhooks
                deliver_due(hooks, using)
                wait = soonest(hooks, using)
                with self._lock:
                    self._polled_at = time.monotonic()
                    idle = wait is None or wait > POLL_SECONDS
                    if idle and not self._wake.is_set():
                        self.thread = None
                        return
                if self._wake.wait(min(wait or 0.0, POLL_SECONDS) or 0.05):
                    self._wake.clear()
        except Exception as exc:
            logger.warning("Webhook sender failed: %s: %s", type(exc).__name__, exc)
            with self._lock:
                self.thread = None
        finally:
            # This thread's own connections; a request thread's are untouched.
            connections.close_all()

    def wait(self, timeout: float) -> bool:
        """Wait for the running sender to end (tests); whether it did."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


sender = Sender()
