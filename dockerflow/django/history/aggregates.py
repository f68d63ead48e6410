"""Hour and day counters of every heartbeat run, kept in memory between flushes.

Counting costs no query: runs add to a :class:`Tally`, and the recorder
writes it with its next database visit as increments, so workers never clash.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, Field, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from dockerflow.checks.messages import CRITICAL, ERROR, INFO, WARNING

from ..choices import EPOCH
from ..models import DURATION_BUCKETS, HeartbeatAggregate

__all__ = ["Tally", "bucket_of", "flush", "percentile", "periods", "split"]

_EDGES = [edge for _name, edge in DURATION_BUCKETS]
_NAMES = [name for name, _edge in DURATION_BUCKETS]

HOUR, DAY, TOTAL = "hour", "day", "total"

#: (host, check_name, period, start) of one aggregate row.
Key = tuple[str, str, str, dt.datetime]


def bucket_of(duration_ms: float) -> str:
    """The histogram field a duration falls in (edges are inclusive)."""
    return _NAMES[bisect.bisect_left(_EDGES, duration_ms)]


def status_counter(level: int) -> str:
    """The status counter a level adds to; levels between names round down."""
    if level >= CRITICAL:
        return "critical"
    if level >= ERROR:
        return "error"
    if level >= WARNING:
        return "warning"
    if level >= INFO:
        return "info"
    return "ok"


def periods(moment: dt.datetime) -> Iterator[tuple[str, dt.datetime]]:
    """The hour and the day (both UTC) that ``moment`` falls in, and the
    all-time row that never ends."""
    moment = moment.astimezone(dt.timezone.utc)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    yield HOUR, hour
    yield DAY, hour.replace(hour=0)
    yield TOTAL, EPOCH


def split(
    start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[str, dt.datetime, float]]:
    """``(period, bucket start, seconds)`` for the part of [start, end) in each bucket."""
    for period, step in ((HOUR, dt.timedelta(hours=1)), (DAY, None)):
        cursor = start
        while cursor < end:
            bucket = dict(periods(cursor))[period]
            after = bucket + (step or dt.timedelta(days=1))
            stop = min(end, after)
            yield period, bucket, (stop - cursor).total_seconds()
            cursor = stop
    if start < end:
        yield TOTAL, EPOCH, (end - start).total_seconds()


def _lower(current: float | None, ms: float) -> float:
    return ms if current is None or ms < current else current


@dataclass
class Counts:
    runs: int = 0
    failing_seconds: float = 0.0
    duration_total_ms: float = 0.0
    duration_max_ms: float = 0.0
    #: None until a run is counted (failing time alone counts no run).
    duration_min_ms: float | None = None
    by_field: dict[str, int] = field(default_factory=dict)

    def merge(self, other: Counts) -> None:
        self.runs += other.runs
        self.failing_seconds += other.failing_seconds
        self.duration_total_ms += other.duration_total_ms
        self.duration_max_ms = max(self.duration_max_ms, other.duration_max_ms)
        if other.duration_min_ms is not None:
            self.duration_min_ms = _lower(self.duration_min_ms, other.duration_min_ms)
        for name, count in other.by_field.items():
            self.by_field[name] = self.by_field.get(name, 0) + count


class Tally:
    """Counters not yet written, keyed by aggregate row."""

    def __init__(self) -> None:
        self.rows: dict[Key, Counts] = {}

    def __bool__(self) -> bool:
        return bool(self.rows)

    def _row(self, key: Key) -> Counts:
        counts = self.rows.get(key)
        if counts is None:
            counts = self.rows[key] = Counts()
        return counts

    def add_run(
        self, host: str, check: str, moment: dt.datetime, level: int, ms: float
    ) -> None:
        self.add_runs(host, tuple(periods(moment)), [(check, level, ms)])

    def add_runs(
        self,
        host: str,
        buckets: tuple[tuple[str, dt.datetime], ...],
        runs: Iterable[tuple[str, int, float]],
    ) -> None:
        """Count ``(check, level, ms)`` runs of one moment, in its ``buckets``."""
        rows = self.rows
        for check, level, ms in runs:
            names = (status_counter(level), bucket_of(ms))
            for period, start in buckets:
                key = (host, check, period, start)
                counts = rows.get(key)
                if counts is None:
                    counts = rows[key] = Counts()
                counts.runs += 1
                counts.duration_total_ms += ms
                if ms > counts.duration_max_ms:
                    counts.duration_max_ms = ms
                low = counts.duration_min_ms
                if low is None or ms < low:
                    counts.duration_min_ms = ms
                by_field = counts.by_field
                for name in names:
                    by_field[name] = by_field.get(name, 0) + 1

    def add_failing(
        self, host: str, check: str, start: dt.datetime, end: dt.datetime
    ) -> None:
        for period, bucket, seconds in split(start, end):
            self._row((host, check, period, bucket)).failing_seconds += seconds

    def merge(self, other: Tally) -> None:
        for key, counts in other.rows.items():
            self._row(key).merge(counts)

    def take(self) -> Tally:
        """Everything counted so far; this tally starts again empty."""
        taken = Tally()
        taken.rows, self.rows = self.rows, {}
        return taken


def _increments(counts: Counts) -> dict[str, object]:
    values: dict[str, object] = {
        "runs": F("runs") + counts.runs,
        "failing_seconds": F("failing_seconds") + counts.failing_seconds,
        "duration_total_ms": F("duration_total_ms") + counts.duration_total_ms,
        "duration_max_ms": Greatest(F("duration_max_ms"), counts.duration_max_ms),
    }
    if counts.duration_min_ms is not None:
        # A row written before the fastest run was counted holds NULL, and
        # LEAST ignores a NULL on PostgreSQL only.
        low = Value(counts.duration_min_ms)
        values["duration_min_ms"] = Least(Coalesce(F("duration_min_ms"), low), low)
    for name, count in counts.by_field.items():
        values[name] = F(name) + count
    return values


def _field(name: str) -> Field[Any, Any]:
    column = HeartbeatAggregate._meta.get_field(name)
    assert isinstance(column, Field)
    return column


def flush(tally: Tally, using: str) -> int:
    """Add ``tally`` to the aggregate rows; returns how many rows it touched.

    Two statements whatever the number of rows: an INSERT of the missing
    rows at zero (skipping those another worker inserted first), then one
    UPDATE adding every row's increments, so workers never lose a count.
    Both visit the rows in key order, so two workers flushing at once lock
    them in the same order and cannot deadlock.
    """
    if not tally:
        return 0
    keys = sorted(tally.rows)
    objects = HeartbeatAggregate.objects.using(using)
    objects.bulk_create(
        [
            HeartbeatAggregate(host=host, check_name=check, period=period, start=start)
            for host, check, period, start in keys
        ],
        ignore_conflicts=True,
    )
    matches = {
        key: Q(host=key[0], check_name=key[1], period=key[2], start=key[3])
        for key in keys
    }
    increments: dict[str, list[When]] = {}
    for key in keys:
        for name, value in _increments(tally.rows[key]).items():
            increments.setdefault(name, []).append(When(matches[key], then=value))
    objects.filter(functools.reduce(operator.or_, matches.values())).update(
        **{
            name: Case(*whens, default=F(name), output_field=_field(name))
            for name, whens in increments.items()
        }
    )
    return len(keys)


def percentile(
    histogram: Sequence[int] | Mapping[str, int],
    q: float,
    *,
    lowest: float | None = None,
    highest: float | None = None,
) -> float | None:
    """The duration (ms) under which a fraction ``q`` of the runs finished.

    Interpolates inside the bucket that holds it, so the answer is never
    off by more than that bucket's width; None when nothing was counted.
    The slowest bucket has no upper edge, so its answer is its lower one.
    Interpolating assumes the runs spread evenly over their bucket, and
    they may all sit at one end: ``lowest`` and ``highest``, the fastest and
    slowest runs counted, bound the answer when they are known.
    """
    found = _interpolated(histogram, q)
    if found is None:
        return None
    if highest is not None and found > highest:
        found = highest
    if lowest is not None and found < lowest:
        found = lowest
    return found


def _interpolated(
    histogram: Sequence[int] | Mapping[str, int], q: float
) -> float | None:
    counts = (
        [histogram.get(name, 0) for name in _NAMES]
        if isinstance(histogram, Mapping)
        else list(histogram)
    )
    total = sum(counts)
    if total == 0:
        return None
    wanted = q * total
    below = 0
    for index, count in enumerate(counts):
        if count and below + count >= wanted:
            low = _EDGES[index - 1] if index else 0.0
            high = _EDGES[index]
            if high == float("inf"):
                return low
            return low + (high - low) * (wanted - below) / count
        below += count
    return _EDGES[-2]


def summed(rows: Iterable[HeartbeatAggregate]) -> dict[str, int]:
    """The histogram of several aggregate rows, by field name."""
    total = dict.fromkeys(_NAMES, 0)
    for row in rows:
        for name in _NAMES:
            total[name] += getattr(row, name)
    return total
