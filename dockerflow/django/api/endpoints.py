"""The APIViews that describe the three Dockerflow endpoints to drf-spectacular,
with serializers for the bodies the plain views really send.

No request reaches these classes: :func:`.schema.document_endpoints` hangs
them on the plain views, where the schema generator looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .auth import AUTHENTICATION
from .serializers import status_field

TAG = "Dockerflow"
F = TypeVar("F", bound=Callable[..., Any])


def documented(**kwargs: Any) -> Callable[[F], F]:
    """``extend_schema`` for a view method, built on drf-spectacular's
    AutoSchema even where REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] is DRF's.

    ``extend_schema`` subclasses the method's ``kwargs["schema"]`` if it has
    one, else the project's default schema class, when it decorates.
    """

    def decorate(method: F) -> F:
        method.__dict__.setdefault("kwargs", {})["schema"] = AutoSchema
        return extend_schema(**kwargs)(method)

    return decorate


class DockerflowVersionSerializer(serializers.Serializer):
    """The project's version.json, served as it is."""

    source = serializers.URLField(
        required=False, help_text="URL of the source code repository."
    )
    version = serializers.CharField(
        required=False, help_text="Human-readable version, such as a tag."
    )
    commit = serializers.CharField(required=False, help_text="The commit hash.")
    build = serializers.URLField(
        required=False, help_text="URL of the CI build that made the image."
    )


class DockerflowErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField(
        required=False, help_text="Why version.json could not be read."
    )
    path = serializers.CharField(
        required=False,
        help_text="The version.json looked for, when the default version "
        "callback found none.",
    )


class DockerflowCheckDetailSerializer(serializers.Serializer):
    status = status_field()
    level = serializers.IntegerField(help_text="Django's check level: 30 warning.")
    messages = serializers.DictField(
        child=serializers.CharField(),
        help_text="Message texts by check ID; texts sharing an ID are joined "
        "with newlines.",
    )


class DockerflowHeartbeatStatusSerializer(serializers.Serializer):
    """What a caller who may not see details gets."""

    status = status_field()


class DockerflowHeartbeatDetailsSerializer(serializers.Serializer):
    """What DEBUG, staff and the bearer token see (DOCKERFLOW_HEARTBEAT_DETAILS)."""

    status = status_field()
    checks = serializers.DictField(
        child=status_field(),
        help_text="Every check's status, by check name.",
    )
    details = serializers.DictField(
        child=DockerflowCheckDetailSerializer(),
        help_text="The checks that reported anything, by check name.",
    )
    duration_ms = serializers.FloatField(help_text="The whole run.")
    durations_ms = serializers.DictField(child=serializers.FloatField())


HEARTBEAT = PolymorphicProxySerializer(
    component_name="DockerflowHeartbeat",
    serializers=[
        DockerflowHeartbeatStatusSerializer,
        DockerflowHeartbeatDetailsSerializer,
    ],
    resource_type_field_name=None,
)
DETAILED_OK = {
    "status": "warning",
    "checks": {"check_database_connected": "ok", "check_migrations_applied": "warning"},
    "details": {
        "check_migrations_applied": {
            "status": "warning",
            "level": 30,
            "messages": {"dockerflow.health.W001": "Unapplied migration app.0002_x"},
        }
    },
    "duration_ms": 5.3,
    "durations_ms": {"check_database_connected": 1.2, "check_migrations_applied": 4.1},
}
DETAILED_FAILED = {
    "status": "error",
    "checks": {"check_database_connected": "error"},
    "details": {
        "check_database_connected": {
            "status": "error",
            "level": 40,
            "messages": {
                "dockerflow.health.E001": "Could not connect to database 'default'"
            },
        }
    },
    "duration_ms": 3000.4,
    "durations_ms": {"check_database_connected": 3000.0},
}


def _example(name: str, value: Any, code: str) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


class VersionEndpoint(APIView):
    """Documents ``/__version__``; requests are served by the plain view."""

    schema = AutoSchema()
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @documented(
        operation_id="dockerflow_version",
        summary="The service's version.json",
        description="BASE_DIR/version.json as it is (Dockerflow's version object).",
        tags=[TAG],
        responses={
            200: OpenApiResponse(DockerflowVersionSerializer, "version.json."),
            404: OpenApiResponse(
                DockerflowErrorSerializer, "There is no version.json."
            ),
            500: OpenApiResponse(
                DockerflowErrorSerializer, "version.json is not valid JSON."
            ),
        },
        examples=[
            _example(
                "missing",
                {"error": "version.json not found", "path": "/app/version.json"},
                "404",
            ),
            _example(
                "invalid",
                {"error": "version.json is invalid", "detail": "line 1 column 2"},
                "500",
            ),
        ],
    )
    def get(self, request: Any) -> Any:  # pragma: no cover - never routed
        raise NotImplementedError


class HeartbeatEndpoint(APIView):
    """Documents ``/__heartbeat__``; requests are served by the plain view."""

    schema = AutoSchema()
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @documented(
        operation_id="dockerflow_heartbeat",
        summary="Run the health checks",
        description=(
            "Runs DOCKERFLOW_CHECKS. 200 unless a check reports an error or "
            "worse, then DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE (500 by "
            "default). Check names and messages are shown only to callers "
            "DOCKERFLOW_HEARTBEAT_DETAILS allows: by default DEBUG, staff, and "
            "the bearer token; everyone else gets the status alone."
        ),
        tags=[TAG],
        responses={
            200: OpenApiResponse(HEARTBEAT, "Every check passed, maybe with warnings."),
            "5XX": OpenApiResponse(HEARTBEAT, "A check reported an error or worse."),
        },
        examples=[
            _example("anonymous", {"status": "ok"}, "200"),
            _example("detailed", DETAILED_OK, "200"),
            _example("anonymous failure", {"status": "error"}, "5XX"),
            _example("detailed failure", DETAILED_FAILED, "5XX"),
        ],
    )
    def get(self, request: Any) -> Any:  # pragma: no cover - never routed
        raise NotImplementedError


class LbheartbeatEndpoint(APIView):
    """Documents ``/__lbheartbeat__``; requests are served by the plain view."""

    schema = AutoSchema()
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @documented(
        operation_id="dockerflow_lbheartbeat",
        summary="Is the process up",
        description="Always 200 with an empty object; touches no backing "
        "service, so a load balancer can probe it often.",
        tags=[TAG],
        responses={
            200: OpenApiResponse(
                {"type": "object", "additionalProperties": False}, "The process is up."
            )
        },
    )
    def get(self, request: Any) -> Any:  # pragma: no cover - never routed
        raise NotImplementedError
