"""The recorder: decides in memory whether a heartbeat run needs the database.

Most runs do not: they are counted in memory, and the writer checks them
against the host's states in one SELECT (another process of the host may have
flipped it). A run goes to the database when it may be stored
(DOCKERFLOW_HISTORY), or when the counters are due for a flush; a failed write
is logged, never raised, and what the recorder sees while the database is out
of reach waits in its backlog.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.db import router, transaction
from django.utils.module_loading import import_string

from dockerflow.checks import HeartbeatResult

from ..conf import conf
from ..models import HeartbeatRun
from ..webhooks.sender import sender
from . import pruning
from .aggregates import Tally, flush, periods
from .backlog import LIMIT, Backlog
from .decision import Known, database_failed, decide, unreachable
from .seen import Sighting, observe
from .store import IF_DUE, NEVER, VERIFY, Visit, unchanged, visit
from .table import ALL, CHANGES, MODES, OFF
from .text import fitted

__all__ = [
    "ALL",
    "CHANGES",
    "MODES",
    "OFF",
    "Known",
    "Pending",
    "Recorder",
    "decide",
    "unreachable",
]

logger = logging.getLogger("dockerflow.history")

#: Seconds to leave the database alone after a write failed, so a database
#: that is down does not add a connection attempt to every heartbeat.
RETRY_SECONDS = 10.0
#: Seconds a version read from version.json is reused.
VERSION_SECONDS = 10.0
#: The longest version a run holds (HeartbeatRun.version's max_length).
VERSION_LENGTH = 100


@dataclass
class Pending:
    """A run that needs the database, as :meth:`Recorder.prepare` left it."""

    visit: Visit
    tally: Tally
    #: What the host's runs showed while the database was out of reach.
    backlog: list[Sighting] = field(default_factory=list)

    def absorb(self, earlier: Pending) -> None:
        """Take over the flips and counters of ``earlier``, a run of the same
        host dropped from the writer's queue: only its own row is lost."""
        sightings = [*earlier.backlog, earlier.visit.seen.sighting(), *self.backlog]
        if len(sightings) > LIMIT:
            sightings = sightings[: LIMIT - 1] + sightings[-1:]
        self.backlog = sightings
        self.tally.merge(earlier.tally)
        self.visit.first = self.visit.first or earlier.visit.first


def history_host() -> str:
    """The name runs are stored under, fitted to its column."""
    return fitted(conf.history.host or socket.gethostname())


def _version() -> str:
    callback = conf.VERSION_CALLBACK
    root = conf.BASE_DIR
    try:
        func = import_string(callback) if isinstance(callback, str) else callback
        data = func(str(root)) if root is not None else None
    except Exception:
        return ""  # /__version__ reports it; the history only loses a label
    if not isinstance(data, dict):
        return ""
    return fitted(str(data.get("version") or data.get("commit") or ""), VERSION_LENGTH)


class Recorder:
    """Counts every run, and sends to the database those that need it.

    One instance per process (:data:`recorder`); :meth:`reset` forgets
    everything, for tests. Thread-safe: a web worker's threads share it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: Writes that failed, and runs that found the database failing, since
        #: the process started: the writer's connections may be stale after.
        self.failures = 0
        self.outages = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._known: dict[str, Known] = {}
            self._tally = Tally()
            self._backlog = Backlog()
            self._flushed_at = time.monotonic()
            self._retry_at = 0.0
            self._pruned_at = time.monotonic()
            self._hour: tuple[int, tuple[tuple[str, dt.datetime], ...]] | None = None
            self._version_read: tuple[float, Any, str] | None = None
            # Concurrent callers of one single-flight run get the same
            # result object; it is one run, recorded once.
            self._recent: deque[weakref.ref[HeartbeatResult]] = deque(maxlen=16)

    def prepare(
        self,
        result: HeartbeatResult,
        *,
        source: str,
        http_status: int | None = None,
        force: bool = False,
    ) -> Pending | None:
        """Count ``result``; return what to write, or None (no query needed)."""
        settings = conf.history
        if settings.mode == OFF or result.cached:
            return None
        if database_failed(result):
            self.outages += 1
        started = result.started_at or time.time()
        seen = observe(result, history_host(), self._version(), started)
        gap = 2 * max(settings.sample_seconds, settings.flush_seconds)
        now = time.monotonic()
        with self._lock:
            if self._seen_before(result):
                return None
            self._tally.add_runs(seen.host, self._buckets(started), seen.runs)
            known = self._known.get(seen.host)
            owed = self._backlog.holds(seen.host)
            store = decide(settings, force, known, seen.signature, started, owed)
            flush_due = now - self._flushed_at >= settings.flush_seconds
            if store == NEVER and not flush_due:
                # Unchanged for this process; another of the host may have
                # flipped it since: the writer checks, off the request path.
                store = VERIFY
            reason = unreachable(now, self._retry_at, result)
            if reason is not None and store == VERIFY:
                return None
            if reason is not None:
                self._backlog.note(seen.host, seen.sighting(), gap / 2)
                if store != NEVER:
                    self._lost(seen.host, result, reason)
                return None
            # The counters ride along with a flip or a sample, which are rare,
            # and with a forced run (a one-off command may be all there is),
            # but not with every run of the "all" mode: that waits its turn.
            if flush_due or store == IF_DUE or force:
                self._flushed_at = now
                tally = self._tally.take()
            else:
                tally = Tally()
            backlog = self._backlog.take(seen.host)
        v = Visit(seen, source, http_status, store, settings.sample_seconds, gap)
        v.first = known is None
        return Pending(v, tally, backlog)

    def _seen_before(self, result: HeartbeatResult) -> bool:
        """Whether ``result`` was counted already (lock held)."""
        if any(seen() is result for seen in self._recent):
            return True
        self._recent.append(weakref.ref(result))
        return False

    def _buckets(self, started: float) -> tuple[tuple[str, dt.datetime], ...]:
        """The hour and day of ``started``, worked out once per hour (lock held)."""
        hour = int(started // 3600)
        cached = self._hour
        if cached is None or cached[0] != hour:
            moment = dt.datetime.fromtimestamp(hour * 3600, dt.timezone.utc)
            cached = self._hour = (hour, tuple(periods(moment)))
        return cached[1]

    def _version(self) -> str:
        """version.json's version, read at most every few seconds: a new
        version normally comes with a new process anyway."""
        now = time.monotonic()
        source = (conf.VERSION_CALLBACK, conf.BASE_DIR)
        cached = self._version_read
        if cached is None or cached[1] != source or now - cached[0] > VERSION_SECONDS:
            cached = self._version_read = (now, source, _version())
        return cached[2]

    def write(self, pending: Pending) -> HeartbeatRun | None:
        """Send ``pending`` to the database; the stored run, if any. Never raises."""
        v = pending.visit
        try:
            using = router.db_for_write(HeartbeatRun)
            if v.store == VERIFY:
                if not pending.backlog and not pending.tally and unchanged(v, using):
                    self._remember(v, using)
                    return None
                v.store = IF_DUE  # a flip another process stored or made
            visit(v, pending.tally, using, pending.backlog)
        except Exception as exc:
            self.give_back(pending)
            with self._lock:
                self.failures += 1
                self._retry_at = time.monotonic() + RETRY_SECONDS
                self._known.pop(v.host, None)
            self._lost(v.host, v.seen.result, f"{type(exc).__name__}: {exc}")
            return None
        self._remember(v, using)
        with self._lock:
            prune_every = self._prune_due()
        if prune_every:
            pruning.prune_in_background(using, prune_every)
        return v.run

    def _remember(self, v: Visit, using: str) -> None:
        """Keep what the database said of the host, for the next decision, and
        have the webhooks sent, once a caller's own transaction commits."""
        stored_at = v.known_stored_at.timestamp() if v.known_stored_at else None
        with self._lock:
            self._known[v.host] = Known(v.known_signature, stored_at)
        urgent = v.deliveries > 0
        transaction.on_commit(lambda: sender.kick(using, urgent), using=using)

    def give_back(self, pending: Pending) -> None:
        """Keep what ``pending`` saw and counted for the next visit, without
        its run: after a failed write, or when the writer dropped it."""
        v = pending.visit
        with self._lock:
            self._tally.merge(pending.tally)  # counted next time instead
            # Before what was noted since: a write that failed slowly (or
            # waited in the writer's queue) ends after later runs were noted.
            self._backlog.give_back(v.host, [*pending.backlog, v.seen.sighting()])

    def record(
        self,
        result: HeartbeatResult,
        *,
        source: str,
        http_status: int | None = None,
        force: bool = False,
    ) -> HeartbeatRun | None:
        pending = self.prepare(
            result, source=source, http_status=http_status, force=force
        )
        return None if pending is None else self.write(pending)

    def flush(self) -> int:
        """Write the counters now; how many aggregate rows it touched."""
        with self._lock:
            tally = self._tally.take()
            self._flushed_at = time.monotonic()
        if not tally:
            return 0
        try:
            using = router.db_for_write(HeartbeatRun)
            with transaction.atomic(using=using):
                return flush(tally, using)
        except Exception:
            with self._lock:
                self._tally.merge(tally)
            raise

    def _prune_due(self) -> float:
        """The prune interval if this process should try to claim a prune, else 0."""
        every = conf.history.prune_seconds
        now = time.monotonic()
        if every <= 0 or now - self._pruned_at < every:
            return 0.0
        self._pruned_at = now
        return every

    @staticmethod
    def _lost(host: str, result: HeartbeatResult, reason: str) -> None:
        logger.warning(
            "Heartbeat run not recorded: %s",
            reason,
            extra={
                "host": host,
                "status": result.status,
                "failing_checks": [c.name for c in result if c.failed],
            },
        )
