"""The one table of Dockerflow endpoints: each one's path, name, flows, and
whether it is a probe. Every adapter loops over :data:`ENDPOINTS`.

A new endpoint is one :class:`Endpoint` row here plus its flow in
:mod:`dockerflow.flows`; Flask, Sanic and Django then serve it. The names
python-dockerflow users import from here (``Reply``, the detail policy) are
re-exported from :mod:`dockerflow.replies` and :mod:`dockerflow.details`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from . import flows
from .details import (
    DETAIL_POLICIES,
    DETAILS_ALWAYS,
    DETAILS_AUTHORIZED,
    DETAILS_NEVER,
    bearer_token,
    may_see_details,
    token_matches,
)
from .replies import (
    ALLOWED_METHODS,
    DEFAULT_FAILED_STATUS,
    HEADERS,
    Reply,
    heartbeat_reply,
    lbheartbeat_reply,
    method_not_allowed,
    version_reply,
)

__all__ = [
    "ALLOWED_METHODS",
    "DEFAULT_FAILED_STATUS",
    "DETAILS_ALWAYS",
    "DETAILS_AUTHORIZED",
    "DETAILS_NEVER",
    "DETAIL_POLICIES",
    "ENDPOINTS",
    "HEADERS",
    "PATHS",
    "PROBE_PATHS",
    "Endpoint",
    "Reply",
    "bearer_token",
    "endpoint_at",
    "endpoint_for",
    "heartbeat_reply",
    "lbheartbeat_reply",
    "may_see_details",
    "method_not_allowed",
    "token_matches",
    "version_reply",
]

Flow = Callable[[flows.EndpointRequest], Reply]
AsyncFlow = Callable[[flows.EndpointRequest], Awaitable[Reply]]


@dataclass(frozen=True)
class Endpoint:
    """One row of the table: an endpoint, served with or without the
    trailing slash, as ``flow`` (or, on an event loop, ``flow_async``) answers.
    """

    #: The path without its trailing slash, e.g. ``/__heartbeat__``.
    path: str
    #: The route's name in every framework (``dockerflow.<name>``, or
    #: ``<name>`` in Django's ``dockerflow`` URL namespace).
    name: str
    flow: Flow
    flow_async: AsyncFlow
    #: Whether ``DOCKERFLOW_SUMMARY_SKIP_PROBES`` drops its ``request.summary``:
    #: what a load balancer or an orchestrator polls, not what a person calls.
    probe: bool

    @property
    def paths(self) -> tuple[str, str]:
        """The paths it answers on: without and with the trailing slash."""
        return (self.path, self.path + "/")


VERSION = Endpoint(
    "/__version__",
    "version",
    flows.serve_version,
    flows.serve_version_async,
    probe=True,
)
HEARTBEAT = Endpoint(
    "/__heartbeat__",
    "heartbeat",
    flows.serve_heartbeat,
    flows.serve_heartbeat_async,
    probe=True,
)
LBHEARTBEAT = Endpoint(
    "/__lbheartbeat__",
    "lbheartbeat",
    flows.serve_lbheartbeat,
    flows.serve_lbheartbeat_async,
    probe=True,
)
# Raises on purpose, for a caller who may see details, when switched on.
ERROR = Endpoint(
    "/__error__",
    "error",
    flows.serve_error,
    flows.serve_error_async,
    probe=False,
)

#: Every Dockerflow endpoint, in the order adapters add them.
ENDPOINTS = (VERSION, HEARTBEAT, LBHEARTBEAT, ERROR)

_BY_PATH = {path: endpoint for endpoint in ENDPOINTS for path in endpoint.paths}
#: Every endpoint path, with and without the trailing slash.
PATHS = frozenset(_BY_PATH)
#: The paths whose summary ``DOCKERFLOW_SUMMARY_SKIP_PROBES`` skips.
PROBE_PATHS = frozenset(path for path, row in _BY_PATH.items() if row.probe)


def endpoint_at(path: str) -> Endpoint | None:
    """The endpoint served at ``path``, if any."""
    return _BY_PATH.get(path)


def endpoint_for(path: str) -> str | None:
    """The name of the endpoint at ``path`` (``"heartbeat"``, say), if any."""
    endpoint = _BY_PATH.get(path)
    return None if endpoint is None else endpoint.name
