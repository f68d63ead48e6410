"""The history API's root, ``history/``: the URL of each list endpoint, by
name, as DRF's DefaultRouter lists a router's endpoints.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .endpoints import documented
from .views import TAG, HistoryView

#: The URL names listed, in the order they are listed.
ENDPOINTS = ("runs", "changes", "deliveries", "uptime")


class HistoryRootSerializer(serializers.Serializer):
    runs = serializers.URLField(help_text="Stored heartbeat runs, newest first.")
    changes = serializers.URLField(help_text="Status changes, newest first.")
    deliveries = serializers.URLField(help_text="Webhook deliveries, newest first.")
    uptime = serializers.URLField(help_text="Uptime and durations per host and check.")


@extend_schema_view(
    get=documented(
        operation_id="dockerflow_history_root",
        summary="The history API's endpoints",
        description="The absolute URL of each endpoint, by name. Anyone may "
        "read it; the endpoints themselves ask for credentials.",
        tags=[TAG],
        responses={200: OpenApiResponse(HistoryRootSerializer, "The endpoints.")},
    )
)
class HistoryRoot(HistoryView):
    # The list of URLs holds nothing the heartbeat hides: no credentials, so
    # a newcomer who opens it in a browser is shown where to go next.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        namespace = request.resolver_match.namespace
        prefix = f"{namespace}:" if namespace else ""
        return Response(
            {name: reverse(prefix + name, request=request) for name in ENDPOINTS}
        )
