"""The heartbeat history as Prometheus metric families, read in three queries
from the rows every worker shares: a scrape runs no check and counts no run.

Counters come from the all-time aggregate rows, which pruning keeps, so they
never go down; docs/metrics.rst lists every series, and exposition.py writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
    StateSetMetricFamily,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from ..models import (
    DURATION_BUCKETS,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    Period,
    Status,
)
from .presence import GONE_AFTER, missing_after

__all__ = ["QUERIES", "HistoryCollector", "Snapshot", "snapshot"]

STATUSES = tuple(Status.values)
BUCKETS = tuple(name for name, _edge in DURATION_BUCKETS)
#: Each bucket's upper edge in seconds, as the ``le`` label writes it.
EDGES = tuple(floatToGoString(edge / 1000.0) for _name, edge in DURATION_BUCKETS)
TOTALS = (*STATUSES, "failing_seconds", "duration_total_ms", *BUCKETS)
#: The queries :func:`snapshot` reads, whatever the history holds.
QUERIES = 3

#: A host's labels, ``(host,)``, or a check's, ``(host, check)``.
Key = tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """What one scrape reads: each host and check still around, and its totals."""

    #: Hosts at or after this moment's last-seen time are present.
    late: dt.datetime
    #: ``(host,)`` to its host row: ``status``, ``seen_at``, ``version``.
    hosts: dict[Key, dict[str, Any]]
    #: ``(host, check)`` to its state: ``status``, ``seen_at``.
    checks: dict[Key, dict[str, Any]]
    #: ``(host, check)`` to its all-time aggregate row.
    totals: dict[Key, dict[str, Any]]


def snapshot(now: dt.datetime | None = None, using: str | None = None) -> Snapshot:
    """The history as of ``now``, in :data:`QUERIES` queries."""
    now = now or timezone.now()
    using = using or router.db_for_read(CheckState)
    around = now - GONE_AFTER
    states = CheckState.objects.using(using).filter(seen_at__gte=around).order_by()
    newest = (
        HeartbeatRun.objects.using(using)
        .filter(host=OuterRef("host"))
        .order_by("-time")
        .values("version")[:1]
    )
    hosts: dict[Key, dict[str, Any]] = {
        (row["host"],): row
        for row in states.filter(check_name="")
        .exclude(host="")
        .annotate(version=Subquery(newest))
        .order_by("host")
        .values("host", "status", "seen_at", "version")
    }
    checks: dict[Key, dict[str, Any]] = {
        (row["host"], row["check_name"]): row
        for row in states.exclude(check_name="")
        .order_by("host", "check_name")
        .values("host", "check_name", "status", "seen_at")
        if (row["host"],) in hosts
    }
    totals: dict[Key, dict[str, Any]] = {}
    rows = (
        HeartbeatAggregate.objects.using(using)
        .filter(period=Period.TOTAL, host__in=[host for (host,) in hosts])
        .exclude(check_name="")
    )
    for row in rows.order_by().values("host", "check_name", *TOTALS):
        key: Key = (row["host"], row["check_name"])
        if key in checks:
            totals[key] = row
    return Snapshot(now - missing_after(), hosts, checks, totals)


def _histogram(row: dict[str, Any]) -> list[tuple[str, float]]:
    below = 0
    buckets = []
    for name, edge in zip(BUCKETS, EDGES, strict=True):
        below += row[name]
        buckets.append((edge, float(below)))
    return buckets


def _families(
    prefix: str,
    what: str,
    labels: Sequence[str],
    states: dict[Key, dict[str, Any]],
    totals: dict[Key, dict[str, Any]],
) -> Iterator[Metric]:
    """The status, runs, duration and failing time of each of ``states``."""
    status = StateSetMetricFamily(
        f"{prefix}_status", f"The status of {what} now.", labels=labels
    )
    runs = CounterMetricFamily(
        f"{prefix}_runs", f"Runs of {what}, by status.", labels=[*labels, "status"]
    )
    duration = HistogramMetricFamily(
        f"{prefix}_duration_seconds",
        f"How long {what} took.",
        labels=labels,
        unit="seconds",
    )
    failing = CounterMetricFamily(
        f"{prefix}_failing_seconds",
        f"Seconds {what} spent at error or worse.",
        labels=labels,
        unit="seconds",
    )
    for key, state in states.items():
        status.add_metric(key, {name: state["status"] == name for name in STATUSES})
        row = totals.get(key)
        if row is None:
            continue  # seen, but its counts not flushed yet
        for name in STATUSES:
            runs.add_metric([*key, name], row[name])
        duration.add_metric(key, _histogram(row), row["duration_total_ms"] / 1000.0)
        failing.add_metric(key, row["failing_seconds"])
    yield from (status, runs, duration, failing)


def _host_families(found: Snapshot) -> Iterator[Metric]:
    missing = GaugeMetricFamily(
        "dockerflow_host_missing",
        "1 when the host stored no run in time (the admin's rule), else 0.",
        labels=["host"],
    )
    seen = GaugeMetricFamily(
        "dockerflow_host_last_seen_timestamp_seconds",
        "When a run of the host last reached the database.",
        labels=["host"],
        unit="seconds",
    )
    version = InfoMetricFamily(
        "dockerflow_host_version",
        "The version of the host's last stored run, from version.json.",
        labels=["host"],
    )
    for key, row in found.hosts.items():
        missing.add_metric(key, float(row["seen_at"] < found.late))
        seen.add_metric(key, row["seen_at"].timestamp())
        if row["version"]:
            version.add_metric(key, {"version": row["version"]})
    yield from (missing, seen, version)


class HistoryCollector(Collector):
    """Every family of one :class:`Snapshot`, labels unique by construction:
    each comes from a dict keyed by its labels."""

    def __init__(self, found: Snapshot) -> None:
        self.found = found

    def collect(self) -> Iterable[Metric]:
        found = self.found
        # No family of the whole heartbeat per host: its status is its
        # checks' worst and its runs their host's, so it added a quarter of
        # the samples, and the time of a scrape is per sample.
        yield from _host_families(found)
        yield from _families(
            "dockerflow_check",
            "the check on the host",
            ["host", "check"],
            found.checks,
            found.totals,
        )
        last = GaugeMetricFamily(
            "dockerflow_check_last_run_timestamp_seconds",
            "When a run of the check last reached the database, up to "
            "DOCKERFLOW_HISTORY_SAMPLE_SECONDS behind the host's.",
            labels=["host", "check"],
            unit="seconds",
        )
        for key, row in found.checks.items():
            last.add_metric(key, row["seen_at"].timestamp())
        yield last
