"""drf-spectacular extensions for the Dockerflow endpoints and the history API,
and :func:`document_endpoints`, which puts the endpoints in the schema.

Imported by ``dockerflow.django.api.urls``, so the extensions are registered
before any schema is generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent

from .. import views
from . import endpoints


class ClosedObjectExtension(OpenApiSerializerExtension):
    """The anonymous heartbeat body has ``status`` and nothing else, so a
    detailed body can never match both forms of the ``oneOf``."""

    target_class = endpoints.DockerflowHeartbeatStatusSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(
            self.target_class, direction, bypass_extensions=True
        )
        return {**schema, "additionalProperties": False}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "dockerflow.django.api.auth.BearerTokenAuthentication"
    name = "dockerflowToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The value of DOCKERFLOW_HEARTBEAT_TOKEN.",
        }


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    """An :class:`~.serializers.EnumField` is a ``$ref`` to its own named enum,
    so drf-spectacular's enum naming never sees (or renames) it, whatever
    ``status`` or ``source`` enums the project has."""

    target_class = "dockerflow.django.api.serializers.EnumField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={"type": "string", "enum": list(field.choices)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class TextFilterExtension(OpenApiSerializerFieldExtension):
    """One string schema for a text filter. With a ``pattern``, drf-spectacular
    describes a blank value as a second ``oneOf`` branch, which "" matches as
    well as the first, so the schema refused the very value it documents."""

    target_class = "dockerflow.django.api.serializers.TextFilter"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        return {
            "type": "string",
            "maxLength": self.target.max_length,
            "not": {"pattern": "\\u0000"},
        }


#: Each plain view and the APIView that documents it.
DOCUMENTED = (
    (views.version, endpoints.VersionEndpoint),
    (views.heartbeat, endpoints.HeartbeatEndpoint),
    (views.lbheartbeat, endpoints.LbheartbeatEndpoint),
)


def document_endpoints() -> None:
    """Put the three endpoints in the schema wherever ``dockerflow.django.urls``
    is included.

    The generator takes a URL callback with ``cls`` and ``initkwargs`` (what
    ``APIView.as_view()`` leaves on its function) for a DRF view, and reads
    only the class; requests still go to the plain view.
    """
    for view, documenting in DOCUMENTED:
        view.__dict__.update(cls=documenting, initkwargs={})
