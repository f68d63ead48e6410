"""What the picture above the runs list shows, read from the history tables.

A fixed handful of queries on the small tables (states, hour and day
aggregates) plus one bounded window of runs for the deploys, whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Min
from django.utils import timezone

from ..history.presence import missing_after
from ..models import (
    FAILING,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    Period,
)
from . import figures
from . import heatmap as grid

HOUR = timedelta(hours=1)
BUCKETS = 24
COUNTS = ("runs", "ok", "info", "warning", "error", "critical", "failing_seconds")


@dataclass(frozen=True)
class MissingHost:
    """A host gone quiet, as it last reported: a silent host can't say it broke."""

    host: str
    seen_at: datetime
    status: str
    failing: tuple[str, ...]


@dataclass(frozen=True)
class Picture:
    heatmap: grid.Heatmap
    checks: tuple[figures.CheckFigures, ...]
    missing: tuple[MissingHost, ...] = ()


def _worst(row: dict[str, Any]) -> str:
    return grid.worst([s for s in grid.STATUSES if row.get(s)])


def version_changes(
    spans: list[tuple[str, datetime, datetime]],
) -> list[tuple[datetime, str]]:
    """When one host's version changed, from when it first and last ran each.

    A version first seen after another is a change at its first run; a
    version still running after a later one ended was rolled back to, at
    about that one's last run. The earliest version was already running.
    """
    spans = sorted(spans, key=lambda span: span[1])
    changes = [(first, version) for version, first, _last in spans[1:]]
    for version, first, last in spans:
        for other, other_first, other_last in spans:
            if other != version and first < other_first and other_last < last:
                changes.append((other_last, version))
    return changes


def _deploys(start: datetime) -> tuple[grid.Deploy, ...]:
    """Each time a host's version changed in the window, grouped by version."""
    # One pass that groups by (host, version): no sort of the window's runs
    # by host, which costs a string collation per comparison.
    spans: dict[str, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    rows = (
        HeartbeatRun.objects.filter(time__gte=start - HOUR)
        .exclude(version="")
        .values("host", "version")
        .annotate(first=Min("time"), last=Max("time"))
        .order_by()
    )
    for row in rows:
        spans[row["host"]].append((row["version"], row["first"], row["last"]))
    changes = sorted(
        change
        for host_spans in spans.values()
        for change in version_changes(host_spans)
        if change[0] >= start
    )
    deploys: list[grid.Deploy] = []
    for time, version in changes:
        # A rolling deploy flips host after host: one marker, at the first.
        if (
            deploys
            and deploys[-1].version == version
            and time - deploys[-1].time < HOUR
        ):
            continue
        deploys.append(grid.Deploy(timezone.localtime(time), version))
    return tuple(deploys)


@dataclass(frozen=True)
class Column:
    """One hour of the heatmap: its bounds, as stored and as shown, and its link."""

    start: datetime
    end: datetime
    shown_start: datetime
    shown_end: datetime
    query: str


def _columns(first: datetime) -> list[Column]:
    columns = []
    for index in range(BUCKETS):
        start = first + index * HOUR
        end = start + HOUR
        query = urlencode({"time__gte": start.isoformat(), "time__lt": end.isoformat()})
        columns.append(
            Column(
                start, end, timezone.localtime(start), timezone.localtime(end), query
            )
        )
    return columns


def _cells(
    columns: list[Column],
    now: datetime,
    found: dict[datetime, dict[str, Any]],
    link: str,
) -> tuple[grid.Cell, ...]:
    cells = []
    for column in columns:
        row = found.get(column.start)
        href = f"{link}&{column.query}"
        if not row or not row["runs"]:
            cells.append(grid.Cell(column.shown_start, column.shown_end, href=href))
            continue
        # The current hour is not over: its share is of the time gone by. A
        # check's row sums several hosts, each with its own hour ("seats").
        span = max((min(column.end, now) - column.start).total_seconds(), 1.0)
        share = row["failing_seconds"] / (span * max(row.get("seats", 1), 1))
        cells.append(
            grid.Cell(
                column.shown_start,
                column.shown_end,
                _worst(row),
                min(share, 1.0),
                row["runs"],
                href,
            )
        )
    return tuple(cells)


def _host_rows(
    columns: list[Column], now: datetime, states: list[dict[str, Any]], url: str
) -> tuple[grid.Row, ...]:
    found: dict[str, dict[datetime, dict[str, Any]]] = defaultdict(dict)
    aggregates = HeartbeatAggregate.objects.filter(
        period=Period.HOUR, check_name="", start__gte=columns[0].start
    ).values("host", "start", *COUNTS)
    for row in aggregates:
        found[row["host"]][row["start"]] = row
    late = now - missing_after()
    rows = []
    for state in states:
        host, seen = state["host"], state["seen_at"]
        link = f"{url}?{urlencode({'host': host})}"
        rows.append(
            grid.Row(
                host,
                _cells(columns, now, found[host], link),
                missing_since=timezone.localtime(seen) if seen < late else None,
                href=link,
            )
        )
    return tuple(rows)


def _check_rows(
    columns: list[Column], now: datetime, names: list[str], url: str
) -> tuple[grid.Row, ...]:
    found: dict[str, dict[datetime, dict[str, Any]]] = defaultdict(dict)
    aggregates = figures.summed(
        HeartbeatAggregate.objects.filter(period=Period.HOUR),
        names,
        columns[0].start,
        ("check_name", "start"),
        COUNTS,
        seats=Count("id"),
    )
    for row in aggregates:
        found[row["check_name"]][row["start"]] = row
    rows = []
    for name in names:
        link = f"{url}?{urlencode({'failing_check': name})}"
        rows.append(grid.Row(name, _cells(columns, now, found[name], link), href=link))
    return tuple(rows)


def build(url: str, rows: str = "hosts", now: datetime | None = None) -> Picture:
    """The last 24 hours and the per-check figures as of ``now``; cells link to ``url``."""
    now = now or timezone.now()
    current = now.replace(minute=0, second=0, microsecond=0)
    columns = _columns(current - (BUCKETS - 1) * HOUR)
    start = columns[0].start
    # Hosts unheard of for the whole window have gone for good, not missing.
    states = list(
        CheckState.objects.filter(seen_at__gte=start)
        .order_by("host", "check_name")
        .values("host", "check_name", "status", "since", "seen_at")
    )
    hosts = [s for s in states if not s["check_name"]]
    late = now - missing_after()
    present = [s for s in hosts if s["seen_at"] >= late]
    checks = [s for s in states if s["check_name"]]
    if rows == "checks":
        names = sorted({s["check_name"] for s in checks})
        drawn = _check_rows(columns, now, names, url)
    else:
        drawn = _host_rows(columns, now, hosts, url)
    heatmap = grid.Heatmap(
        rows=drawn,
        start=columns[0].shown_start,
        end=columns[-1].shown_end,
        deploys=_deploys(start),
        failing=sum(s["status"] in FAILING for s in present),
        hosts=len(hosts),
        missing=len(hosts) - len(present),
        kind=rows,
    )
    return Picture(
        heatmap,
        figures.figures(start, now, checks, late),
        _missing(hosts, checks, late),
    )


def _missing(
    hosts: list[dict[str, Any]], checks: list[dict[str, Any]], late: datetime
) -> tuple[MissingHost, ...]:
    gone = [h for h in hosts if h["seen_at"] < late]
    return tuple(
        MissingHost(
            host["host"],
            timezone.localtime(host["seen_at"]),
            host["status"],
            tuple(
                c["check_name"]
                for c in checks
                if c["host"] == host["host"] and c["status"] in FAILING
            ),
        )
        for host in sorted(gone, key=lambda h: h["seen_at"])
    )
