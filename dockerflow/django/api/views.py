"""The read-only heartbeat history API: what every endpoint shares, and the
runs and status changes (deliveries and uptime have modules of their own).

Lists page with a cursor on time, so a page costs the same at row 1,000,000
as at row 1 and no request counts the whole table.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
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

from ..models import (
    HeartbeatRun,
    StatusChange,
)
from .auth import AUTHENTICATION, HistoryReader
from .endpoints import documented
from .query import TimeCursor, as_api_error, read_filters
from .serializers import (
    HistoryFilter,
    HistoryRunSerializer,
    HistoryStatusChangeSerializer,
)

TAG = "Heartbeat history"
BIGINT_MAX = 2**63 - 1


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
    queryset: QuerySet, filters: dict[str, Any], time: str, lookups: dict[str, str]
) -> QuerySet:
    """``queryset`` within since and until on ``time``, and matching each
    other filter by its lookup in ``lookups``: any of a list's values,
    exactly a text's."""
    if "since" in filters:
        queryset = queryset.filter(**{f"{time}__gte": filters["since"]})
    if "until" in filters:
        queryset = queryset.filter(**{f"{time}__lt": filters["until"]})
    for name, lookup in lookups.items():
        value = filters.get(name)
        if isinstance(value, list):
            if value:
                queryset = queryset.filter(**{f"{lookup}__in": value})
        elif name in filters:
            queryset = queryset.filter(**{lookup: value})
    return queryset


NOT_A_CURSOR = OpenApiResponse(
    HistoryErrorSerializer, "The cursor is not one this API gave."
)
LIST_RESPONSES = {400: BAD_FILTER, **ERRORS, 404: NOT_A_CURSOR}


def listed(
    operation_id: str,
    summary: str,
    description: str,
    filters: type[serializers.Serializer],
    serializer: type[serializers.Serializer],
    page: str,
) -> Any:
    """The schema of a list endpoint: its filters, a page of ``serializer``,
    and the errors every list answers."""
    return extend_schema_view(
        get=documented(
            operation_id=operation_id,
            summary=summary,
            description=description,
            tags=[TAG],
            parameters=[filters],
            responses={
                200: OpenApiResponse(serializer(many=True), page),
                **LIST_RESPONSES,
            },
        )
    )


class HistoryList(HistoryView, generics.ListAPIView):
    """A list of ``model``'s rows, newest first, narrowed by ``filter_class``:
    since and until on ``time_field``, every other filter by its lookup."""

    model: Any
    filter_class: type[serializers.Serializer] = HistoryFilter
    time_field = "time"
    lookups: dict[str, str] = {}
    pagination_class = TimeCursor

    def get_queryset(self) -> QuerySet:
        filters = self.filters(self.filter_class)
        return filtered(
            self.model.objects.all(), filters, self.time_field, self.lookups
        )


@listed(
    "dockerflow_history_runs",
    "Stored heartbeat runs, newest first",
    "status filters the run's status; check keeps the runs in "
    "which that check reported.",
    HistoryFilter,
    HistoryRunSerializer,
    "A page of runs.",
)
class RunList(HistoryList):
    serializer_class = HistoryRunSerializer
    model = HeartbeatRun
    # One check row per name and run, so the join adds no duplicates.
    lookups = {
        "host": "host",
        "status": "status",
        "version": "version",
        "check": "checks__name",
    }

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().prefetch_related("checks")


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


@listed(
    "dockerflow_history_changes",
    "Status changes, newest first",
    'Each time a host (check "") or one of its checks changed '
    "status. status filters the new status; previous_duration is how many "
    "seconds the old one lasted.",
    HistoryFilter,
    HistoryStatusChangeSerializer,
    "A page of changes.",
)
class ChangeList(HistoryList):
    serializer_class = HistoryStatusChangeSerializer
    model = StatusChange
    permission = "dockerflow.view_statuschange"
    lookups = {
        "host": "host",
        "status": "new_status",
        "check": "check_name",
        "version": "run__version",
    }
