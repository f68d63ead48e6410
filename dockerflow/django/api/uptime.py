"""The history API's uptime and duration percentiles per host and check,
summed from the hour or day aggregates, never from the raw runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Min, Sum
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from ..history.aggregates import percentile
from ..models import DURATION_BUCKETS, HeartbeatAggregate
from .endpoints import documented
from .serializers import RANGES, HistoryUptimeSerializer, UptimeFilter
from .views import BAD_FILTER, ERRORS, TAG, HistoryView

#: Above this span the day buckets are summed instead of the hour ones.
HOURLY_UP_TO = dt.timedelta(days=2)
COUNTERS = ("runs", "ok", "info", "warning", "error", "critical")
HISTOGRAM = [name for name, _edge in DURATION_BUCKETS]


def _minus(moment: dt.datetime, span: dt.timedelta) -> dt.datetime:
    try:
        return moment - span
    except OverflowError:  # until in year 1: the range starts at the dawn of time
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _bucket_start(moment: dt.datetime, period: str) -> dt.datetime:
    moment = moment.astimezone(dt.timezone.utc)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour if period == "hour" else hour.replace(hour=0)


def _row(sums: dict[str, Any]) -> dict[str, Any]:
    """One result row from the summed aggregates (``sum_<field>`` each)."""
    total = {name: sums[f"sum_{name}"] or 0 for name in (*COUNTERS, *HISTOGRAM)}
    runs = total["runs"]
    failed = total["error"] + total["critical"]
    histogram = {name: total[name] for name in HISTOGRAM}
    bounds = {"lowest": sums["min_duration_ms"], "highest": sums["max_duration_ms"]}
    return {
        "host": sums.get("host"),
        "check": sums["check_name"],
        **{name: total[name] for name in COUNTERS},
        "uptime": round(100.0 * (runs - failed) / runs, 3) if runs else None,
        "failing_seconds": sums["sum_failing_seconds"] or 0.0,
        "mean_ms": (sums["sum_duration_total_ms"] or 0.0) / runs if runs else None,
        "p50_ms": percentile(histogram, 0.50, **bounds),
        "p95_ms": percentile(histogram, 0.95, **bounds),
        "max_ms": sums["max_duration_ms"] or 0.0,
    }


class Uptime(HistoryView):
    permission = "dockerflow.view_heartbeataggregate"

    @documented(
        operation_id="dockerflow_history_uptime",
        summary="Uptime and duration percentiles per host and check",
        description="Summed from the hour aggregates for spans up to two days, "
        "from the day ones beyond, so since is rounded down to its bucket. "
        'Uptime is the share of runs below error; check "" counts whole runs.',
        tags=[TAG],
        parameters=[UptimeFilter],
        responses={
            200: OpenApiResponse(HistoryUptimeSerializer, "One row per group."),
            400: BAD_FILTER,
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.filters(UptimeFilter)
        until = filters.get("until") or timezone.now()
        since = filters.get("since") or _minus(until, RANGES[filters["range"]])
        period = "hour" if until - since <= HOURLY_UP_TO else "day"
        start = _bucket_start(since, period)
        rows = HeartbeatAggregate.objects.filter(
            period=period, start__gte=start, start__lt=until
        )
        if "host" in filters:
            rows = rows.filter(host=filters["host"])
        if "check" in filters:
            rows = rows.filter(check_name=filters["check"])
        group = ["check_name"] if filters["by"] == "check" else ["host", "check_name"]
        # Prefixed: an annotation may not take the name of a model field.
        sums = {
            f"sum_{name}": Sum(name)
            for name in (*COUNTERS, *HISTOGRAM, "failing_seconds", "duration_total_ms")
        }
        totals = (
            rows.values(*group)
            .annotate(
                **sums,
                min_duration_ms=Min("duration_min_ms"),
                max_duration_ms=Max("duration_max_ms"),
            )
            .order_by(*group)
        )
        body = {
            "since": start,
            "until": until,
            "period": period,
            "results": [_row(values) for values in totals],
        }
        return Response(HistoryUptimeSerializer(body).data)
