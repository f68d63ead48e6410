"""The read-only heartbeat history API: runs, status changes, and uptime/p95
(webhook deliveries: :mod:`.deliveries`).

Lists page with a cursor on time, so a page costs the same at row 1,000,000
as at row 1 and no request counts the whole table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Min, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..history.aggregates import percentile
from ..models import (
    DURATION_BUCKETS,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)
from .auth import AUTHENTICATION, HistoryReader
from .endpoints import documented
from .query import TimeCursor, as_api_error, read_filters
from .serializers import (
    RANGES,
    HistoryFilter,
    HistoryRunSerializer,
    HistoryStatusChangeSerializer,
    HistoryUptimeSerializer,
    UptimeFilter,
)

TAG = "Heartbeat history"
BIGINT_MAX = 2**63 - 1
#: Above this span the day buckets are summed instead of the hour ones.
HOURLY_UP_TO = dt.timedelta(days=2)
COUNTERS = ("runs", "ok", "info", "warning", "error", "critical")
HISTOGRAM = [name for name, _edge in DURATION_BUCKETS]


class HistoryErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


ERRORS = {
    401: OpenApiResponse(HistoryErrorSerializer, "No credentials, or a wrong token."),
    403: OpenApiResponse(HistoryErrorSerializer, "Not staff with the view permission."),
}
BAD_FILTER = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    "A query parameter is invalid: its messages, by parameter name "
    "(non_field_errors when there are more than Django reads).",
)


class HistoryView(APIView):
    """What every history endpoint shares: who may read, and JSON only."""

    schema = AutoSchema()
    authentication_classes = AUTHENTICATION
    permission_classes = [HistoryReader]
    renderer_classes = [JSONRenderer]
    filter_backends: list[Any] = []
    #: The view permission HistoryReader asks staff for.
    permission = "dockerflow.view_heartbeatrun"

    def filters(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        return read_filters(self.request, serializer_class)

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(as_api_error(exc))

    def finalize_response(
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Answers hold the check messages the heartbeat hides from strangers,
        # and depend on who asks: no cache may keep one or give it to another.
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


def filtered(
    queryset: QuerySet, filters: dict[str, Any], status: str, time: str = "time"
) -> QuerySet:
    if "since" in filters:
        queryset = queryset.filter(**{f"{time}__gte": filters["since"]})
    if "until" in filters:
        queryset = queryset.filter(**{f"{time}__lt": filters["until"]})
    if "host" in filters:
        queryset = queryset.filter(host=filters["host"])
    if filters.get("status"):
        queryset = queryset.filter(**{f"{status}__in": filters["status"]})
    return queryset


NOT_A_CURSOR = OpenApiResponse(
    HistoryErrorSerializer, "The cursor is not one this API gave."
)
LIST_RESPONSES = {400: BAD_FILTER, **ERRORS, 404: NOT_A_CURSOR}


@extend_schema_view(
    get=documented(
        operation_id="dockerflow_history_runs",
        summary="Stored heartbeat runs, newest first",
        description="status filters the run's status; check keeps the runs in "
        "which that check reported.",
        tags=[TAG],
        parameters=[HistoryFilter],
        responses={
            200: OpenApiResponse(HistoryRunSerializer(many=True), "A page of runs."),
            **LIST_RESPONSES,
        },
    )
)
class RunList(HistoryView, generics.ListAPIView):
    serializer_class = HistoryRunSerializer
    pagination_class = TimeCursor

    def get_queryset(self) -> QuerySet:
        filters = self.filters(HistoryFilter)
        runs = filtered(HeartbeatRun.objects.all(), filters, "status")
        if "version" in filters:
            runs = runs.filter(version=filters["version"])
        if "check" in filters:
            # One check row per name and run, so the join adds no duplicates.
            runs = runs.filter(checks__name=filters["check"])
        return runs.prefetch_related("checks")


@extend_schema_view(
    get=documented(
        operation_id="dockerflow_history_run",
        summary="One stored run with its checks",
        description="The run's checks come with their messages and durations.",
        tags=[TAG],
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            200: OpenApiResponse(HistoryRunSerializer, "The run."),
            400: BAD_FILTER,
            **ERRORS,
            404: OpenApiResponse(HistoryErrorSerializer, "No such run."),
        },
    )
)
class RunDetail(HistoryView, generics.RetrieveAPIView):
    serializer_class = HistoryRunSerializer
    queryset = HeartbeatRun.objects.prefetch_related("checks")

    def get_object(self) -> Any:
        # The URL takes any text, so "/runs/x/" is this JSON 404 too, and
        # an id past 64 bits is not found rather than refused by the database.
        pk = self.kwargs["pk"]
        if not (pk.isascii() and pk.isdigit()) or int(pk) > BIGINT_MAX:
            raise Http404
        return super().get_object()


@extend_schema_view(
    get=documented(
        operation_id="dockerflow_history_changes",
        summary="Status changes, newest first",
        description='Each time a host (check "") or one of its checks changed '
        "status. status filters the new status; previous_duration is how many "
        "seconds the old one lasted.",
        tags=[TAG],
        parameters=[HistoryFilter],
        responses={
            200: OpenApiResponse(
                HistoryStatusChangeSerializer(many=True), "A page of changes."
            ),
            **LIST_RESPONSES,
        },
    )
)
class ChangeList(HistoryView, generics.ListAPIView):
    serializer_class = HistoryStatusChangeSerializer
    pagination_class = TimeCursor
    permission = "dockerflow.view_statuschange"

    def get_queryset(self) -> QuerySet:
        filters = self.filters(HistoryFilter)
        changes = filtered(StatusChange.objects.all(), filters, "new_status")
        if "check" in filters:
            changes = changes.filter(check_name=filters["check"])
        if "version" in filters:
            changes = changes.filter(run__version=filters["version"])
        return changes


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
