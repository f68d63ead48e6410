"""The per-check figures under the heatmap: state, uptime and duration percentiles.

Three grouped queries over the hour and day aggregates, which count every
heartbeat run whether it was stored or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from ..history.aggregates import percentile
from ..models import DURATION_BUCKETS, FAILING, HeartbeatAggregate, Period
from . import heatmap as grid

DAY = timedelta(days=1)
#: The status of a check no host still reporting has.
MISSING = "missing"
#: The duration histogram's fields, summed per check.
HISTOGRAM = [name for name, _edge in DURATION_BUCKETS]


@dataclass(frozen=True)
class CheckFigures:
    """One check across every host: the per-check table under the heatmap."""

    name: str
    status: str
    since: datetime | None
    hosts_failing: int
    hosts: int
    #: Hosts that last reported this check and have since gone quiet, and
    #: the worst status they reported: "missing" is the status when no
    #: host reporting it is left.
    hosts_missing: int
    last_status: str
    uptime_24h: float | None
    uptime_7d: float | None
    uptime_30d: float | None
    p50_24h: float | None
    p95_24h: float | None
    p95_30d: float | None


def summed(
    rows: QuerySet[HeartbeatAggregate],
    names: list[str],
    since: datetime,
    keys: tuple[str, ...],
    fields: Iterable[str],
    **extra: Any,
) -> list[dict[str, Any]]:
    """``fields`` of the named checks' rows since ``since``, summed per ``keys``."""
    # An alias may not shadow the field it sums, hence the prefix.
    sums = {f"sum_{name}": Sum(name) for name in fields}
    grouped = (
        # Naming the checks lets the (period, check, start) index find each.
        rows.filter(check_name__in=names, start__gte=since)
        .values(*keys)
        .annotate(**sums, **extra)
        .order_by()
    )
    return [
        {key.removeprefix("sum_"): value or 0 for key, value in row.items()}
        for row in grouped
    ]


def _uptime(runs: int | None, failing: int | None) -> float | None:
    return (1.0 - (failing or 0) / runs) if runs else None


def _percentile(sums: dict[str, Any], q: float) -> float | None:
    """A percentile of summed rows, within their fastest and slowest runs."""
    histogram = [sums.get(name, 0) for name in HISTOGRAM]
    bounds = {"lowest": sums.get("lowest"), "highest": sums.get("highest")}
    return percentile(histogram, q, **bounds)


def figures(
    start: datetime, now: datetime, states: list[dict[str, Any]], late: datetime
) -> tuple[CheckFigures, ...]:
    """Every check any host reported in the window; hosts heard from before
    ``late`` count as missing, not as the check's present state."""
    names = sorted({state["check_name"] for state in states})
    hours = summed(
        HeartbeatAggregate.objects.filter(period=Period.HOUR),
        names,
        start,
        ("check_name",),
        ("runs", "error", "critical", *HISTOGRAM),
        lowest=Min("duration_min_ms"),
        highest=Max("duration_max_ms"),
    )
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = Q(start__gte=today - 6 * DAY)
    failed = F("error") + F("critical")
    days = summed(
        HeartbeatAggregate.objects.filter(period=Period.DAY),
        names,
        today - 29 * DAY,
        ("check_name",),
        ("runs", *HISTOGRAM),
        failed=Sum(failed),
        runs_7d=Sum("runs", filter=week),
        failed_7d=Sum(failed, filter=week),
        lowest=Min("duration_min_ms"),
        highest=Max("duration_max_ms"),
    )
    day = {row["check_name"]: row for row in hours}
    month = {row["check_name"]: row for row in days}
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for state in states:
        by_check[state["check_name"]].append(state)
    return tuple(
        _one(name, by_check[name], late, day.get(name, {}), month.get(name, {}))
        for name in sorted(by_check)
    )


def _one(
    name: str,
    states: list[dict[str, Any]],
    late: datetime,
    d: dict[str, Any],
    m: dict[str, Any],
) -> CheckFigures:
    """One check's line, from its states on each host and its summed aggregates."""
    hosts = [h for h in states if h["seen_at"] >= late]
    gone = [h for h in states if h["seen_at"] < late]
    if hosts:
        status = grid.worst([h["status"] for h in hosts])
        # Failing: since the first host failed. Healthy: since the last recovered.
        at_worst = [h["since"] for h in hosts if h["status"] == status]
        since = min(at_worst) if status in FAILING else max(at_worst)
    else:
        # Nobody reports it any more: since the last one went quiet.
        status, since = MISSING, max(h["seen_at"] for h in gone)
    return CheckFigures(
        name=name,
        status=status,
        since=timezone.localtime(since),
        hosts_failing=sum(h["status"] in FAILING for h in hosts),
        hosts=len(hosts),
        hosts_missing=len(gone),
        last_status=grid.worst([h["status"] for h in gone]),
        uptime_24h=_uptime(d.get("runs"), d.get("error", 0) + d.get("critical", 0)),
        uptime_7d=_uptime(m.get("runs_7d"), m.get("failed_7d")),
        uptime_30d=_uptime(m.get("runs"), m.get("failed")),
        p50_24h=_percentile(d, 0.5),
        p95_24h=_percentile(d, 0.95),
        p95_30d=_percentile(m, 0.95),
    )
